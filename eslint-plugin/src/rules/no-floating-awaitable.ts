/**
 * `sleep(100);` or `fetchData();` (a `function*`) as a statement does nothing: a runtime
 * awaitable is lazy and a coroutine runs only when awaited or run as a Task. Futures and
 * Tasks already run, so they are left alone unless `checkFutures` is set.
 */
import { ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
import { isCoroutineType, isFutureType, isRuntimeAwaitableType, someMember } from '../types.js';

type Options = [{ checkFutures?: boolean }];
type MessageIds = 'awaitable' | 'coroutine' | 'future';

export const noFloatingAwaitable = createRule<Options, MessageIds>({
  name: 'no-floating-awaitable',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow a runtime awaitable or a coroutine used as a statement: it does nothing',
      requiresTypeChecking: true,
    },
    messages: {
      awaitable:
        'This awaitable is never awaited, so it does nothing. Await it (`yield*` in a generator function, `await` in an async function) or run it with createTask().',
      coroutine:
        'Calling a generator function only makes the coroutine: it never runs. Await it (`yield*` in a generator function) or run it with createTask().',
      future: 'This Future/Task is dropped: await it, keep it, or mark the drop with `void`.',
    },
    schema: [
      {
        type: 'object',
        properties: { checkFutures: { type: 'boolean', description: 'Also flag dropped Futures and Tasks (they run anyway).' } },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ checkFutures: false }],
  create(context, [{ checkFutures }]) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    return {
      ExpressionStatement(node: TSESTree.ExpressionStatement): void {
        // An assignment keeps the value; `await x;`/`yield* x;` already awaited (what they give back is another matter).
        const skip = ['AssignmentExpression', 'AwaitExpression', 'YieldExpression'];
        if (node.directive !== undefined || skip.includes(node.expression.type)) return;
        const type = services.getTypeAtLocation(node.expression);
        const messageId = someMember(type, (t) => isCoroutineType(checker, t))
          ? 'coroutine'
          : someMember(type, (t) => isRuntimeAwaitableType(checker, t) && !isFutureType(checker, t))
            ? 'awaitable'
            : checkFutures === true && someMember(type, (t) => isFutureType(checker, t))
              ? 'future'
              : null;
        if (messageId !== null) context.report({ node, messageId });
      },
    };
  },
});
