/**
 * The SDK's parts the asset calls and the state store (state/objects.ts) use, in one module of ours that they import
 * lazily: a run that needs none of them never loads the SDK (s3.ts). Imported statically here, so that bundlers
 * resolve the SDK's CommonJS exports by name.
 */
export {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
export { getEndpointFromInstructions } from '@smithy/core/endpoints';
export { createS3Client } from './s3-client.js';
