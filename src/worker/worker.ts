/** Entry point of the default worker (ESM builds): hosts the default engine. */
import { hostDefaultEngine } from './default-host';

hostDefaultEngine();
