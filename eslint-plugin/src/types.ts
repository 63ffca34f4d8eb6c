/**
 * What the rules ask the type checker: decided from a value's type (its members), never from
 * names, so a user's alias or subclass counts the same as the runtime's own types.
 */
import ts from 'typescript';

/** The members of a union, or the type itself. */
function partsOf(type: ts.Type): readonly ts.Type[] {
  return type.isUnion() ? type.types : [type];
}

function has(checker: ts.TypeChecker, type: ts.Type, name: string): boolean {
  return checker.getPropertyOfType(type, name) !== undefined;
}

/** A required member (a Generator's `return`/`throw`; a plain Iterator's are optional). */
function hasRequired(checker: ts.TypeChecker, type: ts.Type, name: string): boolean {
  const prop = checker.getPropertyOfType(type, name);
  return prop !== undefined && (prop.flags & ts.SymbolFlags.Optional) === 0;
}

/** `[Symbol.iterator]`: the checker names well-known symbol members `__@iterator@<id>`. */
function hasIterator(type: ts.Type): boolean {
  return type.getProperties().some((p) => String(p.escapedName).startsWith('__@iterator@'));
}

/** A runtime awaitable: `yield*`-able (has `[Symbol.iterator]`) and thenable (sleep(), Future, Task, timeout(), …). */
export function isRuntimeAwaitableType(checker: ts.TypeChecker, type: ts.Type): boolean {
  return hasIterator(type) && has(checker, type, 'then');
}

/** A Future or Task: a runtime awaitable that already runs (it has done callbacks and cancel()). */
export function isFutureType(checker: ts.TypeChecker, type: ts.Type): boolean {
  return isRuntimeAwaitableType(checker, type) && has(checker, type, 'addDoneCallback') && has(checker, type, 'cancel');
}

/** A coroutine: a generator object (what calling a `function*` gives), not thenable. */
export function isCoroutineType(checker: ts.TypeChecker, type: ts.Type): boolean {
  return (
    hasIterator(type) &&
    !has(checker, type, 'then') &&
    has(checker, type, 'next') &&
    hasRequired(checker, type, 'throw') &&
    hasRequired(checker, type, 'return')
  );
}

/** Whether some member of the (union) type passes `test`; `any`/`unknown` never do. */
export function someMember(type: ts.Type, test: (t: ts.Type) => boolean): boolean {
  return partsOf(type).some(test);
}

/** Whether a value of `type` can be called with no argument (the type accepts a function). */
export function acceptsFunction(type: ts.Type): boolean {
  return partsOf(type).some((t) => t.getCallSignatures().some((s) => s.getParameters().every(isOptionalParameter)));
}

function isOptionalParameter(param: ts.Symbol): boolean {
  const d = param.valueDeclaration;
  return d !== undefined && ts.isParameter(d) && (d.questionToken !== undefined || d.initializer !== undefined || d.dotDotDotToken !== undefined);
}

/**
 * Whether the parameter that receives `arg` (an argument, or an element of an array literal
 * argument) takes what a Task can run: a function callable with no argument and a coroutine
 * or yieldable (`TaskTarget`, gather's and ensureFuture's arguments; not `assert.rejects`,
 * whose function is no Task). The contextual type answers for
 * plain parameters; a generic rest parameter (`gather(...aws: A)`) is read from its declared
 * type (the constraint of `A`), since the contextual type is then the inferred argument type.
 */
export function parameterTakesTaskTarget(checker: ts.TypeChecker, arg: ts.Expression): boolean {
  const contextual = checker.getContextualType(arg);
  if (contextual !== undefined && takesTaskTarget(checker, contextual)) return true;
  const inArray = ts.isArrayLiteralExpression(arg.parent);
  const argument = inArray ? arg.parent : arg;
  const call = argument.parent;
  if (!ts.isCallExpression(call) && !ts.isNewExpression(call)) return false;
  const index = call.arguments?.indexOf(argument as ts.Expression) ?? -1;
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (index < 0 || declaration === undefined || ts.isJSDocSignature(declaration)) return false;
  const params = declaration.parameters;
  const param = params[Math.min(index, params.length - 1)];
  if (param === undefined || (index >= params.length && param.dotDotDotToken === undefined)) return false;
  let type = constraintOf(checker, checker.getTypeAtLocation(param));
  if (param.dotDotDotToken !== undefined || inArray) type = constraintOf(checker, elementOf(checker, type) ?? type);
  return takesTaskTarget(checker, type);
}

function takesTaskTarget(checker: ts.TypeChecker, type: ts.Type): boolean {
  return acceptsFunction(type) && partsOf(type).some((t) => hasIterator(t) || has(checker, t, 'next'));
}

function constraintOf(checker: ts.TypeChecker, type: ts.Type): ts.Type {
  return type.isTypeParameter() ? (checker.getBaseConstraintOfType(type) ?? type) : type;
}

/** The element type of an array, a tuple or an `Iterable<T>`. */
function elementOf(checker: ts.TypeChecker, type: ts.Type): ts.Type | undefined {
  const indexed = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
  if (indexed !== undefined) return indexed;
  const isReference = (type.flags & ts.TypeFlags.Object) !== 0 && ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) !== 0;
  return isReference ? checker.getTypeArguments(type as ts.TypeReference)[0] : undefined;
}

/** Whether the call expression calls a function declared `async` (its Promise runs outside any Task). */
export function callsAsyncFunction(checker: ts.TypeChecker, call: ts.Node): boolean {
  if (!ts.isCallExpression(call)) return false;
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (declaration === undefined || !ts.isFunctionLike(declaration)) return false;
  if ('asteriskToken' in declaration && declaration.asteriskToken !== undefined) return false; // async function*: no Promise
  const modifiers = ts.canHaveModifiers(declaration) ? ts.getModifiers(declaration) : undefined;
  return modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
}
