import type { Readable } from 'node:stream';
import {
  BlobSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
  type BlobServiceClient,
  type ContainerClient,
} from '@azure/storage-blob';
import type { DocumentStore } from '../use-cases/ports.js';
import { BlockBufferPool, uploadInBlocks } from './block-upload.js';

/** Blocks of 4 MiB, 4 in flight: the memory an upload may hold is bounded, whatever the file size. */
export const uploadBlockBytes = 4 * 1024 * 1024;
export const uploadConcurrency = 4;

/**
 * The version our download links are signed for, fixed so an SDK upgrade does not change them. The
 * SDK's default (2026-04-06) signs user-delegation SAS in a layout Azurite 3.35 does not know yet, so
 * the managed-identity path could not be tested against it (test/document-store.test.ts).
 */
const sasVersion = '2025-07-05';

export class BlobDocumentStore implements DocumentStore {
  private readonly container: ContainerClient;
  /** One pool per host: enough idle blocks for one upload at full concurrency. */
  private readonly blocks = new BlockBufferPool(uploadBlockBytes, uploadConcurrency + 1);

  constructor(
    private readonly service: BlobServiceClient,
    containerName: string,
  ) {
    this.container = service.getContainerClient(containerName);
  }

  async upload(
    name: string,
    body: Readable,
    options: { contentType: string; metadata: Record<string, string>; signal?: AbortSignal },
  ): Promise<{ sha256: string }> {
    return uploadInBlocks(this.container.getBlockBlobClient(name), body, this.blocks, uploadConcurrency, {
      blobHTTPHeaders: { blobContentType: options.contentType },
      metadata: options.metadata,
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
  }

  async delete(name: string): Promise<void> {
    await this.container.getBlockBlobClient(name).deleteIfExists({ deleteSnapshots: 'include' });
  }

  async exists(name: string): Promise<boolean> {
    return this.container.getBlockBlobClient(name).exists();
  }

  /**
   * With an account key (local) the SAS is signed with it; with the managed identity (Azure) it is a
   * user-delegation SAS, so no key is ever needed. The SAS version is pinned (sasVersion).
   */
  async readUrl(name: string, seconds: number): Promise<string> {
    const blob = this.container.getBlockBlobClient(name);
    const startsOn = new Date(Date.now() - 60_000);
    const expiresOn = new Date(Date.now() + seconds * 1000);
    const permissions = BlobSASPermissions.parse('r');
    if (this.service.credential instanceof StorageSharedKeyCredential) {
      return blob.generateSasUrl({ version: sasVersion, permissions, startsOn, expiresOn });
    }
    const key = await this.service.getUserDelegationKey(startsOn, expiresOn);
    const sas = generateBlobSASQueryParameters(
      { version: sasVersion, containerName: this.container.containerName, blobName: name, permissions, startsOn, expiresOn },
      key,
      this.service.accountName,
    );
    return `${blob.url}?${sas.toString()}`;
  }
}
