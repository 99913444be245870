export { type RetryReason, type TenantBlockReason } from './classification';
export { normaliseCode } from './codes';
export { createVodClient, type VodAuth, type VodClient, type VodClientOptions } from './client';
export { fetchIamToken, type IamTokenOutcome, type IamTokenRequest } from './iam-token';
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
export { unsentVerdict, type FailureVerdict, type RefreshVerdict, type ShowResultVerdict } from './verdict';
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
