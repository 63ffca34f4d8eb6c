export { Queue } from './queue.js';
export { LifoQueue } from './lifo-queue.js';
export { PriorityQueue, compareItems, type PriorityQueueOptions } from './priority-queue.js';
