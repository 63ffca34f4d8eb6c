/**
 * `createTask(fetchAll())`, `gather(fetchAll())`, `ensureFuture(fetchAll())`, … where
 * `fetchAll` is an async function: the call starts it at once, outside any Task, and only its
 * Promise is handed on, so cancelling (a timeout, a failing task group, Ctrl-C) cannot stop
 * it. Where the parameter also takes a function, the runtime can run the function itself as
 * a cancellable Task: pass `fetchAll` (or `() => fetchAll(url)`).
 *
 * Decided by types: the argument calls a function declared `async`, and the parameter it is
 * given to takes both a function callable with no argument and a coroutine (TaskTarget,
 * gather's arguments, …): an API that can run the work as a Task.
 */
import { ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';
import { createRule } from '../create-rule.js';
import { callsAsyncFunction, parameterTakesTaskTarget } from '../types.js';

type MessageIds = 'promise' | 'passFunction';

export const noPromiseToTask = createRule<[], MessageIds>({
  name: 'no-promise-to-task',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Disallow calling an async function in place where the runtime could run it as a cancellable Task',
      requiresTypeChecking: true,
    },
    messages: {
      promise:
        '`{{text}}` starts the async function now, outside any Task: cancelling cannot stop it. Pass the function itself (`{{fix}}`) so that it runs as a cancellable Task.',
      passFunction: 'Pass `{{fix}}` instead.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const source = context.sourceCode;

    function replacement(call: TSESTree.CallExpression): string {
      const simple = call.arguments.length === 0 && call.callee.type === 'Identifier' && !call.optional;
      return simple ? source.getText(call.callee) : `() => ${source.getText(call)}`;
    }

    function check(arg: TSESTree.Node): void {
      if (arg.type !== 'CallExpression') return;
      const tsArg = services.esTreeNodeToTSNodeMap.get(arg) as ts.Expression;
      if (!callsAsyncFunction(checker, tsArg)) return;
      if (!parameterTakesTaskTarget(checker, tsArg)) return;
      const fix = replacement(arg);
      context.report({
        node: arg,
        messageId: 'promise',
        data: { text: source.getText(arg), fix },
        suggest: [{ messageId: 'passFunction', data: { fix }, fix: (fixer) => fixer.replaceText(arg, fix) }],
      });
    }

    function checkArguments(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
      for (const arg of node.arguments) {
        // gatherFrom([...]), asCompleted([...]): the elements are the targets.
        if (arg.type === 'ArrayExpression') for (const el of arg.elements) if (el !== null) check(el);
        check(arg);
      }
    }

    return { CallExpression: checkArguments, NewExpression: checkArguments };
  },
});
