/**
 * S3 errors, one factory per AWS error code.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 */
import { AwsServiceError } from '../../core/index.ts';

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (NoSuchBucket)
export function noSuchBucket(bucket: string): AwsServiceError {
  return new AwsServiceError('NoSuchBucket', 'The specified bucket does not exist', 404, { fields: { BucketName: bucket } });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (NoSuchKey)
export function noSuchKey(key: string): AwsServiceError {
  return new AwsServiceError('NoSuchKey', 'The specified key does not exist.', 404, { fields: { Key: key } });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (NoSuchUpload)
export function noSuchUpload(uploadId: string): AwsServiceError {
  return new AwsServiceError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
    { fields: { UploadId: uploadId } },
  );
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
export function invalidBucketName(bucket: string, why: string): AwsServiceError {
  return new AwsServiceError('InvalidBucketName', `The specified bucket is not valid. (${why})`, 400, { fields: { BucketName: bucket } });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html#API_CreateBucket_Errors
export function bucketAlreadyOwnedByYou(bucket: string): AwsServiceError {
  return new AwsServiceError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, {
    fields: { BucketName: bucket },
  });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html
export function bucketNotEmpty(bucket: string): AwsServiceError {
  return new AwsServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { fields: { BucketName: bucket } });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (MalformedXML)
export function malformedXml(detail: string): AwsServiceError {
  return new AwsServiceError('MalformedXML', `The XML you provided was not well-formed or did not validate against our published schema (${detail})`, 400);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (InvalidArgument)
export function invalidArgument(message: string, name?: string, value?: string): AwsServiceError {
  const fields: Record<string, string> = {};
  if (name !== undefined) fields.ArgumentName = name;
  if (value !== undefined) fields.ArgumentValue = value;
  return new AwsServiceError('InvalidArgument', message, 400, { fields });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (InvalidRequest)
export function invalidRequest(message: string): AwsServiceError {
  return new AwsServiceError('InvalidRequest', message, 400);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (InvalidRange)
export function invalidRange(range: string, size: number): AwsServiceError {
  return new AwsServiceError('InvalidRange', 'The requested range is not satisfiable', 416, {
    fields: { RangeRequested: range, ActualObjectSize: String(size) },
    headers: { 'content-range': `bytes */${size}` },
  });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (PreconditionFailed)
export function preconditionFailed(condition: string): AwsServiceError {
  return new AwsServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { fields: { Condition: condition } });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html#API_CompleteMultipartUpload_Errors
export function invalidPart(partNumber: number, why: string): AwsServiceError {
  return new AwsServiceError(
    'InvalidPart',
    `One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag. (part ${partNumber}: ${why})`,
    400,
  );
}

export function invalidPartOrder(): AwsServiceError {
  return new AwsServiceError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', 400);
}

export function entityTooSmall(partNumber: number, size: number): AwsServiceError {
  return new AwsServiceError('EntityTooSmall', `Your proposed upload is smaller than the minimum allowed object size. (part ${partNumber} is ${size} bytes; all parts but the last must be at least 5 MiB)`, 400, {
    fields: { ProposedSize: String(size), MinSizeAllowed: String(5 * 1024 * 1024), PartNumber: String(partNumber) },
  });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (MethodNotAllowed)
export function methodNotAllowed(method: string, resource: string): AwsServiceError {
  return new AwsServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { fields: { Method: method, ResourceType: resource } });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (NotImplemented)
export function notImplemented(what: string): AwsServiceError {
  return new AwsServiceError('NotImplemented', `A header you provided implies functionality that is not implemented (${what} is not emulated by Rehearse).`, 501);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (KeyTooLongError)
export function keyTooLong(length: number): AwsServiceError {
  return new AwsServiceError('KeyTooLongError', `Your key is too long (${length} bytes; the maximum is 1024).`, 400);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (MetadataTooLarge)
export function metadataTooLarge(size: number): AwsServiceError {
  return new AwsServiceError('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size (${size} bytes; the maximum is 2048).`, 400);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html
export function invalidNotificationArgument(message: string): AwsServiceError {
  return invalidArgument(message);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
export function illegalLocationConstraint(constraint: string, region: string): AwsServiceError {
  return new AwsServiceError(
    'IllegalLocationConstraintException',
    `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to (${region}).`,
    400,
  );
}

export function incompleteBody(message: string): AwsServiceError {
  return new AwsServiceError('IncompleteBody', message, 400);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (MissingContentLength)
export function missingContentLength(): AwsServiceError {
  return new AwsServiceError('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (NoSuchVersion)
export function noSuchVersion(key: string, versionId: string): AwsServiceError {
  return new AwsServiceError('NoSuchVersion', 'The specified version does not exist.', 404, { fields: { Key: key, VersionId: versionId } });
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (versionId)
export function invalidVersionId(versionId: string): AwsServiceError {
  return invalidArgument('Invalid version id specified', 'versionId', versionId);
}

/**
 * A GET/HEAD of a delete marker by version id: 405 with the marker's headers; the current version being a
 * delete marker: 404 NoSuchKey with them. https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeleteMarker.html
 */
export function deleteMarkerError(key: string, versionId: string, lastModified: string, byVersionId: boolean): AwsServiceError {
  const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionId, 'last-modified': lastModified };
  if (byVersionId) return new AwsServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { fields: { Method: 'GET', ResourceType: 'DeleteMarker' }, headers });
  return new AwsServiceError('NoSuchKey', 'The specified key does not exist.', 404, { fields: { Key: key }, headers });
}
