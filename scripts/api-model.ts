/**
 * The public API as the TypeScript compiler sees it: every entry point of the package.json
 * `exports` map, every symbol it exports, and every public member of the exported classes,
 * interfaces and object types, with their doc comments. `scripts/api-docs.ts` renders it as
 * `docs/api/*.md`; `test/api/exports.test.ts` checks that nothing in it is undocumented.
 *
 * Public means: reachable from an entry point, not `_`-prefixed, not `#private`, not `private`,
 * and not marked `@internal` (those are stripped from the published `.d.ts` files).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** One public entry point: `aio-ts`, `aio-ts/testing`, … and the source file behind it. */
export interface Entry {
  /** The import specifier users write: `aio-ts`, `aio-ts/testing`. */
  specifier: string;
  /** The package.json `exports` key: `.`, `./testing`. */
  subpath: string;
  /** `index` for `.`, else the subpath's last segment: the name of its `docs/api/<name>.md`. */
  docName: string;
  /** Absolute path of the TypeScript source file the entry's `types` is built from. */
  source: string;
}

export interface ApiMember {
  name: string;
  /** `method`, `property`, `accessor`, `constructor`. */
  kind: string;
  isStatic: boolean;
  signatures: string[];
  doc: string;
  tags: ts.JSDocTagInfo[];
  /** `file:line` of the declaration, for error messages. */
  where: string;
  /** The exported class or interface that declares it, when not the one listed under. */
  inheritedFrom: string | null;
}

export interface ApiSymbol {
  name: string;
  /** `class`, `function`, `interface`, `type`, `const`. */
  kind: string;
  signatures: string[];
  doc: string;
  tags: ts.JSDocTagInfo[];
  where: string;
  members: ApiMember[];
}

export interface ApiModule {
  entry: Entry;
  /** The entry file's leading doc comment (its module overview). */
  doc: string;
  symbols: ApiSymbol[];
}

/** The entry points, read from package.json so that a new subpath is covered without editing this. */
export function entries(root = ROOT): Entry[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  return Object.entries(pkg.exports).map(([subpath, target]) => {
    const types = typeof target === 'string' ? target : target.types;
    if (!types) throw new Error(`package.json exports["${subpath}"] has no "types"`);
    const match = /^\.\/dist\/(.+)\.d\.ts$/.exec(types);
    if (!match) throw new Error(`package.json exports["${subpath}"].types is not ./dist/….d.ts: ${types}`);
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const docName = subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-');
    return { specifier, subpath, docName, source: join(root, 'src', `${match[1]}.ts`) };
  });
}

/** A program over the entry files, with the project's compiler options. */
export function createProgram(files: string[], root = ROOT): ts.Program {
  const configPath = join(root, 'tsconfig.build.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error(`cannot read ${configPath}`);
  return ts.createProgram(files, { ...config.options, noEmit: true });
}

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

/** True when a declaration is marked `@internal` (the test `stripInternal` applies). */
function isInternal(decl: ts.Node): boolean {
  const text = decl.getSourceFile().text;
  const ranges = ts.getLeadingCommentRanges(text, decl.getFullStart()) ?? [];
  return ranges.some((r) => text.slice(r.pos, r.end).includes('@internal'));
}

function isOurs(decl: ts.Node, root: string): boolean {
  const file = decl.getSourceFile().fileName;
  return file.startsWith(join(root, 'src') + '/') && !file.endsWith('.d.ts');
}

function where(decl: ts.Node, root: string): string {
  const sf = decl.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(decl.getStart());
  return `${relative(root, sf.fileName)}:${line + 1}`;
}

/** `[Symbol.iterator]` for well-known symbols, the plain name otherwise. */
function memberName(symbol: ts.Symbol): string {
  const decl = symbol.declarations?.[0];
  const name = decl && (decl as ts.NamedDeclaration).name;
  if (name && ts.isComputedPropertyName(name)) return `[${name.expression.getText()}]`;
  return symbol.getName();
}

function docOf(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
}

function signatureText(checker: ts.TypeChecker, name: string, sig: ts.Signature, decl: ts.Node): string {
  // `<T>(a: A): R`, written after the name.
  return `${name}${checker.signatureToString(sig, decl, FORMAT | ts.TypeFormatFlags.WriteTypeArgumentsOfSignature)}`;
}

/**
 * The declaration as it would read in a `.d.ts`, bodies and initializers dropped. A class
 * or interface header leaves out the bases the package does not export (`extends
 * LoopBound`): a reader could not look them up, and their public members are listed as the
 * class's own.
 */
function headerOf(decl: ts.Declaration, isPublic: (node: ts.Expression) => boolean): string {
  const sf = decl.getSourceFile();
  if (ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) {
    const keyword = ts.isClassDeclaration(decl) ? 'class' : 'interface';
    const typeParams = decl.typeParameters ? `<${decl.typeParameters.map((t) => t.getText(sf)).join(', ')}>` : '';
    const clauses = (decl.heritageClauses ?? []).flatMap((clause) => {
      const types = clause.types.filter((t) => isPublic(t.expression)).map((t) => t.getText(sf));
      if (types.length === 0) return [];
      return [`${clause.token === ts.SyntaxKind.ExtendsKeyword ? 'extends' : 'implements'} ${types.join(', ')}`];
    });
    return [`${keyword} ${decl.name!.text}${typeParams}`, ...clauses].join(' ').replace(/\s+/g, ' ');
  }
  if (ts.isTypeAliasDeclaration(decl)) {
    return sf.text.slice(decl.getStart(sf), decl.end).replace(/^export\s+/, '').trim();
  }
  return decl.getText(sf);
}

function memberKind(decl: ts.Declaration): string {
  if (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) return 'method';
  if (ts.isGetAccessorDeclaration(decl) || ts.isSetAccessorDeclaration(decl)) return 'accessor';
  if (ts.isConstructorDeclaration(decl)) return 'constructor';
  return 'property';
}

function collectMembers(
  owner: ts.Symbol,
  checker: ts.TypeChecker,
  root: string,
  exportedOwners: Set<ts.Symbol>,
): ApiMember[] {
  const members: ApiMember[] = [];
  const decl = owner.declarations![0]!;
  // Members of a base class from outside the package (Error, AggregateError): an override
  // such as `name = 'TimeoutError'` means what the base's member means.
  const libBases: ts.Type[] = [];
  if (owner.flags & ts.SymbolFlags.Class) {
    const pending = [...(checker.getBaseTypes(checker.getDeclaredTypeOfSymbol(owner) as ts.InterfaceType) ?? [])];
    for (let base = pending.pop(); base; base = pending.pop()) {
      const baseDecl = base.getSymbol()?.declarations?.[0];
      if (baseDecl && !isOurs(baseDecl, root)) libBases.push(base);
      else if (base.isClassOrInterface()) pending.push(...(checker.getBaseTypes(base) ?? []));
    }
  }
  const overridesLib = (name: string): boolean => libBases.some((b) => b.getProperty(name) !== undefined);
  const add = (symbol: ts.Symbol, isStatic: boolean): void => {
    const shown = memberName(symbol);
    if (shown.startsWith('_') || shown.startsWith('#') || shown.startsWith('__#') || shown === 'prototype') return;
    const decls = (symbol.declarations ?? []).filter((d) => isOurs(d, root));
    if (decls.length === 0) return; // from lib.d.ts (Error.message, …): documented there
    // `name` of an Error subclass is Error's; `toString()` is Object's.
    if (!isStatic && (overridesLib(shown) || shown === 'toString')) return;
    const first = decls[0]!;
    const modifiers = ts.getCombinedModifierFlags(first);
    if (modifiers & ts.ModifierFlags.Private) return;
    if (decls.some(isInternal)) return;
    const parent = first.parent;
    const parentSymbol =
      parent && (ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent)) && parent.name
        ? checker.getSymbolAtLocation(parent.name)
        : undefined;
    const inheritedFrom =
      parentSymbol && parentSymbol !== owner && exportedOwners.has(parentSymbol) ? parentSymbol.getName() : null;
    const kind = memberKind(first);
    const type = checker.getTypeOfSymbolAtLocation(symbol, first);
    let signatures: string[];
    if (kind === 'method') {
      signatures = type.getCallSignatures().map((s) => signatureText(checker, shown, s, first));
    } else {
      const readonly =
        kind === 'accessor'
          ? !decls.some(ts.isSetAccessorDeclaration)
          : Boolean(modifiers & ts.ModifierFlags.Readonly);
      const optional = symbol.flags & ts.SymbolFlags.Optional ? '?' : '';
      // The type as written when there is an annotation (`unknown` stays `unknown`, aliases
      // stay named); else as inferred.
      const annotation = (first as ts.PropertyDeclaration | ts.GetAccessorDeclaration).type;
      const shownType = annotation
        ? annotation.getText().replace(/\s+/g, ' ')
        : checker.typeToString(optional ? checker.getNonNullableType(type) : type, first, FORMAT);
      signatures = [`${readonly ? 'readonly ' : ''}${shown}${optional}: ${shownType}`];
    }
    members.push({
      name: shown,
      kind,
      isStatic,
      signatures: signatures.map((s) => (isStatic ? `static ${s}` : s)),
      doc: docOf(symbol, checker),
      tags: symbol.getJsDocTags(checker),
      where: where(first, root),
      inheritedFrom,
    });
  };

  if (owner.flags & ts.SymbolFlags.Class) {
    const classDecl = decl as ts.ClassDeclaration;
    const ctor = classDecl.members.find(ts.isConstructorDeclaration);
    if (ctor && !(ts.getCombinedModifierFlags(ctor) & ts.ModifierFlags.Private) && !isInternal(ctor)) {
      const staticType = checker.getTypeOfSymbolAtLocation(owner, decl);
      const ctorSymbol = owner.members?.get('__constructor' as ts.__String);
      members.push({
        name: 'constructor',
        kind: 'constructor',
        isStatic: false,
        signatures: staticType.getConstructSignatures().map((s) => {
          // `(a: A): Owner` without its return type: `new Owner<T>(a: A)`.
          const text = checker.signatureToString(s, decl, FORMAT);
          return `new ${owner.getName()}${text.slice(0, text.lastIndexOf('): ') + 1)}`;
        }),
        doc: ctorSymbol ? docOf(ctorSymbol, checker) : '',
        tags: ctorSymbol ? ctorSymbol.getJsDocTags(checker) : [],
        where: where(ctor, root),
        inheritedFrom: null,
      });
    }
    const staticType = checker.getTypeOfSymbolAtLocation(owner, decl);
    for (const p of checker.getPropertiesOfType(staticType)) add(p, true);
    for (const p of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(owner))) add(p, false);
  } else if (owner.flags & ts.SymbolFlags.Interface) {
    for (const p of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(owner))) add(p, false);
  } else if (owner.flags & ts.SymbolFlags.TypeAlias && ts.isTypeAliasDeclaration(decl) && ts.isTypeLiteralNode(decl.type)) {
    for (const p of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(owner))) add(p, false);
  }
  return members;
}

function kindOf(symbol: ts.Symbol): string {
  if (symbol.flags & ts.SymbolFlags.Class) return 'class';
  if (symbol.flags & ts.SymbolFlags.Function) return 'function';
  if (symbol.flags & ts.SymbolFlags.Interface) return 'interface';
  if (symbol.flags & ts.SymbolFlags.TypeAlias) return 'type';
  if (symbol.flags & ts.SymbolFlags.Variable) return 'const';
  if (symbol.flags & ts.SymbolFlags.Enum) return 'enum';
  return 'other';
}

function symbolSignatures(
  symbol: ts.Symbol,
  kind: string,
  checker: ts.TypeChecker,
  root: string,
  exportedOwners: Set<ts.Symbol>,
): string[] {
  const decl = symbol.declarations![0]!;
  const name = symbol.getName();
  if (kind === 'function') {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    return type.getCallSignatures().map((s) => `function ${signatureText(checker, name, s, decl)}`);
  }
  if (kind === 'const') {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    return [`const ${name}: ${checker.typeToString(type, decl, FORMAT)}`];
  }
  const isPublic = (node: ts.Expression): boolean => {
    let target = checker.getSymbolAtLocation(node);
    if (target && target.flags & ts.SymbolFlags.Alias) target = checker.getAliasedSymbol(target);
    const declaration = target?.declarations?.[0];
    return !declaration || !isOurs(declaration, root) || exportedOwners.has(target!);
  };
  return [headerOf(decl, isPublic)];
}

/** The public API of each entry point, in the order each entry file exports it. */
export function collectApi(root = ROOT): ApiModule[] {
  const list = entries(root);
  const program = createProgram(list.map((e) => e.source), root);
  const checker = program.getTypeChecker();
  const perEntry = list.map((entry) => {
    const sf = program.getSourceFile(entry.source);
    if (!sf) throw new Error(`entry ${entry.specifier}: ${entry.source} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(sf)!;
    const exported = checker.getExportsOfModule(moduleSymbol).map((s) => ({
      name: s.getName(),
      symbol: s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s,
    }));
    return { entry, sf, exported };
  });
  const exportedOwners = new Set(perEntry.flatMap((e) => e.exported.map((x) => x.symbol)));
  return perEntry.map(({ entry, sf, exported }) => {
    const head = ts.getLeadingCommentRanges(sf.text, 0)?.find((r) => sf.text.startsWith('/**', r.pos));
    const doc = head ? cleanComment(sf.text.slice(head.pos, head.end)) : '';
    const symbols = exported.map(({ name, symbol }): ApiSymbol => {
      const decl = symbol.declarations?.[0];
      if (!decl) throw new Error(`${entry.specifier}: export ${name} has no declaration`);
      const kind = kindOf(symbol);
      return {
        name,
        kind,
        signatures: symbolSignatures(symbol, kind, checker, root, exportedOwners),
        doc: docOf(symbol, checker),
        tags: symbol.getJsDocTags(checker),
        where: where(decl, root),
        members: collectMembers(symbol, checker, root, exportedOwners),
      };
    });
    return { entry, doc, symbols };
  });
}

/** The text of a `/** … *\/` comment, without the comment markers and leading `*`s. */
export function cleanComment(comment: string): string {
  return comment
    .replace(/^\/\*\*\s?/, '')
    .replace(/\s*\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** Text of a tag (`@example`, `@throws`, …) as one string. */
export function tagText(tag: ts.JSDocTagInfo): string {
  return ts.displayPartsToString(tag.text ?? []);
}

/** Every public symbol or member without a doc comment, as `specifier: Name.member (file:line)`. */
export function undocumented(api: ApiModule[]): string[] {
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const { entry, symbols } of api) {
    for (const symbol of symbols) {
      if (!symbol.doc && !seen.has(symbol.where)) missing.push(`${entry.specifier}: ${symbol.name} (${symbol.where})`);
      seen.add(symbol.where);
      for (const member of symbol.members) {
        if (seen.has(member.where)) continue;
        seen.add(member.where);
        // A constructor without parameters needs no words beyond the class's own.
        if (member.kind === 'constructor' && member.signatures.every((s) => s.endsWith('()'))) continue;
        // A constructor's `@param` tags are its documentation.
        const documented = member.doc !== '' || (member.kind === 'constructor' && member.tags.some((t) => t.name === 'param'));
        if (!documented) missing.push(`${entry.specifier}: ${symbol.name}.${member.name} (${member.where})`);
      }
    }
  }
  return missing;
}
