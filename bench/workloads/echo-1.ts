// echo-1: round trips of 64 bytes over one loopback connection (see echo-lib.ts).
import { echoBench } from './echo-lib.js';

echoBench(1);
