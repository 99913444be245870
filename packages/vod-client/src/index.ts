export { createVodClient, type VodClient, type VodClientOptions } from './client';
export type {
  CallOutcome,
  RefreshResult,
  RefreshStatus,
  RefreshTarget,
  RejectedOutcome,
  RetryOutcome,
  ShowResultOutcome,
} from './outcome';
export { parseRetryAfter } from './retry-after';
export {
  ALGORITHM,
  canonicalRequest,
  formatSdkDate,
  parseSdkDate,
  percentEncode,
  sha256Hex,
  signRequest,
  signature,
  stringToSign,
  verifySignature,
  type Body,
  type CanonicalRequestInput,
  type HeaderMap,
  type SignatureHeaders,
  type SignRequestInput,
  type VerifyResult,
  type VerifySignatureInput,
} from './signer';
