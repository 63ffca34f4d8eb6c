/**
 * The typecheck behind test/types/public-types.ts: an unused `@ts-expect-error` fails it (a wrong
 * use that starts compiling is caught), and wrong uses fail with messages that say the fix.
 * Compiles small programs with the project's compiler options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function diagnosticsOf(source: string): { code: number; text: string }[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
  })!;
  const file = join(ROOT, 'test', 'types', '__probe__.ts');
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => (name === file ? source : readFile(name));
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], { ...config.options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => ({ code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') }));
}

test('an unused @ts-expect-error fails the typecheck; wrong uses fail with messages that say the fix', () => {
  const diagnostics = diagnosticsOf(`
import { createTask, sleep, type Coro } from '../../src/index.ts';
// @ts-expect-error nothing wrong below: this directive is unused
createTask(async () => 42);
export function* f(): Coro<void> {
  yield sleep(10);
}
createTask(() => 42);
`);
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    [2578, 2739, 2345],
    diagnostics.map((d) => d.text).join('\n\n'),
  );
  assert.match(diagnostics[0]!.text, /Unused '@ts-expect-error' directive/);
  assert.match(diagnostics[1]!.text, /to await in a coroutine, use yield\*, not yield/);
  assert.match(diagnostics[2]!.text, /Type 'number' is not assignable to type 'Iterator<Suspend, unknown, unknown>'/);
});
