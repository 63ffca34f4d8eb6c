/**
 * In Python `except Exception` does not catch `CancelledError`; in JavaScript every `catch`
 * does. A `catch` around code that awaits (`yield*`, `await`, `for await`) and neither throws
 * nor looks at `CancelledError` swallows a cancellation: the task goes on as if never
 * cancelled (a timeout that does not stop, a task group that cannot finish).
 *
 * Practical, not a flow analysis: any `throw` in the handler, any mention of `CancelledError`
 * (or of `uncancel`, the explicit "ignore this cancel"), or the error stored in a variable
 * (kept to be re-thrown later) passes.
 */
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';

type MessageIds = 'swallowed';

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
/** Names whose mention in a handler means the cancel is handled on purpose. */
const CANCEL_NAMES = new Set(['CancelledError', 'uncancel']);

/** Whether `test` holds for `node` or a node under it, not looking into nested functions. */
function find(node: TSESTree.Node, keys: TSESLint.SourceCode.VisitorKeys, test: (n: TSESTree.Node) => boolean): boolean {
  if (test(node)) return true;
  for (const key of keys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    const children = Array.isArray(child) ? child : [child];
    for (const c of children) {
      if (c === null || typeof c !== 'object' || !('type' in c)) continue;
      const n = c as TSESTree.Node;
      if (!FUNCTIONS.has(n.type) && find(n, keys, test)) return true;
    }
  }
  return false;
}

function suspends(n: TSESTree.Node): boolean {
  return (
    n.type === 'AwaitExpression' ||
    (n.type === 'YieldExpression' && n.delegate) ||
    (n.type === 'ForOfStatement' && n.await) ||
    (n.type === 'VariableDeclaration' && n.kind === 'await using')
  );
}

/** A throw, a mention of CancelledError/uncancel, or the error kept for later (`failure = error`). */
function handles(n: TSESTree.Node, binding: string | null): boolean {
  if (n.type === 'ThrowStatement' || (n.type === 'Identifier' && CANCEL_NAMES.has(n.name))) return true;
  return binding !== null && n.type === 'AssignmentExpression' && n.right.type === 'Identifier' && n.right.name === binding;
}

export const noSwallowedCancel = createRule<[], MessageIds>({
  name: 'no-swallowed-cancel',
  meta: {
    type: 'problem',
    docs: { description: 'Disallow a catch around an await that swallows CancelledError' },
    messages: {
      swallowed:
        'This catch swallows CancelledError: the task goes on as if it was never cancelled. Re-throw it first: `if (e instanceof CancelledError) throw e;` (or call `uncancel()` when ignoring the cancel is meant).',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const keys = context.sourceCode.visitorKeys;
    return {
      CatchClause(node: TSESTree.CatchClause): void {
        const tryStatement = node.parent;
        if (!find(tryStatement.block, keys, suspends)) return;
        const binding = node.param?.type === 'Identifier' ? node.param.name : null;
        if (find(node.body, keys, (n) => handles(n, binding))) return;
        context.report({ node: node.param ?? node, messageId: 'swallowed' });
      },
    };
  },
});
