// Bench baseline: BlockBlobClient.uploadStream of a file straight from the SDK, with the block size
// and concurrency the upload function uses.
import { createReadStream } from 'node:fs';
import { BlobServiceClient } from '@azure/storage-blob';
import { uploadBlockBytes, uploadConcurrency } from '../../shared/adapters/document-store.js';
import './memory-probe.js';

const container = BlobServiceClient.fromConnectionString(process.env.AzureWebJobsStorage ?? '').getContainerClient(
  process.env.DOCUMENTS_CONTAINER ?? 'verification-documents',
);
process.on('message', (m) => {
  const message = m as { upload?: { file: string; blobName: string } };
  if (!message.upload) return;
  const { file, blobName } = message.upload;
  const started = performance.now();
  container
    .getBlockBlobClient(blobName)
    .uploadStream(createReadStream(file, { highWaterMark: 1024 * 1024 }), uploadBlockBytes, uploadConcurrency, {
      blobHTTPHeaders: { blobContentType: 'application/pdf' },
    })
    .then(() => process.send?.({ uploadedMs: performance.now() - started }))
    .catch((error: unknown) => process.send?.({ error: String(error) }));
});
process.send?.({ port: 0 });
