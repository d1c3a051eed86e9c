import { app } from './azure-functions.js';

// Must run before any function is registered: request bodies arrive as streams (uploads are never
// buffered whole), on Azure (Host 4.28+) and in the local host alike.
app.setup({ enableHttpStream: true });
