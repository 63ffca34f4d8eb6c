/**
 * The published .d.ts files hold the public API only: built with the options of
 * tsconfig.build.json (`stripInternal`), they contain no `_`-prefixed member or export and
 * nothing marked `@internal`, and they type-check on their own (no reference left dangling
 * to a stripped declaration).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../../scripts/api-model.ts';

function buildDeclarations(outDir: string): void {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  })!;
  const program = ts.createProgram(config.fileNames, {
    ...config.options,
    outDir,
    emitDeclarationOnly: true,
    sourceMap: false,
    declarationMap: false,
  });
  const result = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  assert.deepEqual(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

/** Every `_`-prefixed name a .d.ts declares or exports, and every `@internal` left in it. */
function leaks(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node): string => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    const name = (node as ts.NamedDeclaration).name;
    const declares =
      ts.isClassElement(node) || ts.isTypeElement(node) || ts.isExportSpecifier(node) ||
      ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) || ts.isVariableDeclaration(node) || ts.isEnumDeclaration(node);
    if (declares && name && ts.isIdentifier(name) && name.text.startsWith('_')) found.push(`${at(node)} ${name.text}`);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  text.split('\n').forEach((line, i) => {
    if (line.includes('@internal')) found.push(`${file}:${i + 1} @internal: ${line.trim()}`);
  });
  return found;
}

test('the built .d.ts files hold no internals, and type-check on their own', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'aio-dts-'));
  try {
    buildDeclarations(outDir);
    const files = declarationFiles(outDir);
    assert.ok(files.some((f) => f.endsWith('index.d.ts')), `no index.d.ts in ${outDir}`);

    const found = files.flatMap((f) => leaks(relative(outDir, f), readFileSync(f, 'utf8')));
    assert.deepEqual(found, [], `internals in the published declarations (mark them /** @internal */):\n  ${found.join('\n  ')}`);

    // Alone, as a user's compiler sees them: a stripped type still named somewhere fails here.
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    });
    // Only our files are checked: @types/node and the libs are not ours to check (and slow).
    const diagnostics = [
      ...program.getGlobalDiagnostics(),
      ...files.flatMap((f) => [...program.getSyntacticDiagnostics(program.getSourceFile(f)), ...program.getSemanticDiagnostics(program.getSourceFile(f))]),
    ];
    const errors = diagnostics.map((d) => {
      const where = d.file ? `${relative(outDir, d.file.fileName)}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
    assert.deepEqual(errors, [], `the declarations do not type-check:\n  ${errors.join('\n  ')}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
