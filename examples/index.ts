/** The examples, in the order the demo runs them. Each has a generator and an async style. */
import type { Coro } from '../src/index.ts';
import * as greet from './greet.ts';
import * as contextManager from './async-context-manager.ts';
import * as asyncGenerator from './async-generator.ts';
import * as helloWorld from './hello-world.ts';
import * as createTask from './create-task.ts';
import * as gatherResults from './gather-results.ts';
import * as handlingExceptions from './handling-exceptions.ts';
import * as gatherTopLevel from './gather-top-level.ts';
import * as lock from './lock.ts';

export interface Example {
  title: string;
  /** Generator-coroutine style. */
  main: () => Coro<void>;
  /** Async-function style. */
  mainAsync: () => PromiseLike<unknown>;
  /** What it prints. */
  expected: string[];
  /** How long it takes (ms): the longest sleep chain, not the sum. */
  duration: number;
}

export const examples: Example[] = [
  {
    title: 'gather three greetings',
    ...greet,
    expected: ['Hello, Alice!', 'Hello, Bob!', 'Hello, Charlie!', 'Goodbye, Alice!', 'Goodbye, Bob!', 'Goodbye, Charlie!'],
    duration: 1000,
  },
  {
    title: 'async context manager',
    ...contextManager,
    expected: ['Entering context', 'Inside context', 'Exiting context'],
    duration: 0,
  },
  { title: 'async generator', ...asyncGenerator, expected: ['0', '1', '2'], duration: 3000 },
  { title: 'hello world', ...helloWorld, expected: ['Hello', 'World'], duration: 1000 },
  { title: 'create tasks', ...createTask, expected: ['Hello', 'World'], duration: 2000 },
  {
    title: 'gather results',
    ...gatherResults,
    expected: ["[ 'Data 1', 'Data 2', 'Data 3' ]"],
    duration: 3000,
  },
  {
    title: 'handling exceptions',
    ...handlingExceptions,
    expected: ['Caught an exception: An error occurred'],
    duration: 0,
  },
  { title: 'gather at top level', ...gatherTopLevel, expected: ['Hello', 'World'], duration: 1000 },
  {
    title: 'a lock shared by three tasks',
    ...lock,
    expected: [0, 1, 2].flatMap((i) => [`Task Task ${i}: acquiring lock`, `Task Task ${i}: releasing lock`]),
    duration: 3000,
  },
];
