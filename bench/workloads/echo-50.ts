// echo-50: round trips of 64 bytes over 50 loopback connections at once (see echo-lib.ts).
import { echoBench } from './echo-lib.js';

echoBench(50);
