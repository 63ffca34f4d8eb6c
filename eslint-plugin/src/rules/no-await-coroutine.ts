/**
 * `await fetchData()` where `fetchData` is a `function*`: a generator object is not
 * thenable, so `await` gives it back unrun. Returning one from an async function is the same
 * mistake (the async function's promise resolves to the generator).
 */
import { ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
import { isCoroutineType, someMember } from '../types.js';

type MessageIds = 'await' | 'return';

type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

function enclosingFunction(node: TSESTree.Node): FunctionNode | null {
  for (let n = node.parent; n !== undefined; n = n.parent) {
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') return n;
  }
  return null;
}

export const noAwaitCoroutine = createRule<[], MessageIds>({
  name: 'no-await-coroutine',
  meta: {
    type: 'problem',
    docs: { description: 'Disallow `await` of a generator coroutine: it gives back the generator, unrun', requiresTypeChecking: true },
    messages: {
      await:
        '`await` does not run a generator coroutine: it gives back the generator object, unrun. Use `await createTask(coro)`, or write the caller as a generator function and use `yield*`.',
      return:
        'An async function returning a generator coroutine resolves to the generator object, unrun. Return `createTask(coro)`, or make this a generator function that returns `yield* coro`.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const isCoroutine = (node: TSESTree.Node): boolean =>
      someMember(services.getTypeAtLocation(node), (t) => isCoroutineType(checker, t));
    const inAsyncFunction = (node: TSESTree.Node): boolean => {
      const fn = enclosingFunction(node);
      return fn !== null && fn.async && !fn.generator;
    };
    return {
      AwaitExpression(node: TSESTree.AwaitExpression): void {
        if (isCoroutine(node.argument)) context.report({ node, messageId: 'await' });
      },
      ReturnStatement(node: TSESTree.ReturnStatement): void {
        // `return await coro`: reported once, as an await.
        const arg = node.argument;
        if (arg !== null && arg.type !== 'AwaitExpression' && inAsyncFunction(node) && isCoroutine(arg)) {
          context.report({ node: arg, messageId: 'return' });
        }
      },
      'ArrowFunctionExpression[async=true][expression=true]'(node: TSESTree.ArrowFunctionExpression): void {
        if (isCoroutine(node.body)) context.report({ node: node.body, messageId: 'return' });
      },
    };
  },
});
