import { ERROR_CODES } from '@refresh/core';
// the error the API answers with: the domain's code, and the HTTP status it carries
import { HttpError as AppError } from './errors';

describe('AppError', () => {
  it('when created with only a code and message, then it is a 500 Error carrying the code', () => {
    const err = new AppError(ERROR_CODES.UNAVAILABLE, 'redis is down');
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ name: 'AppError', code: 'RFS.0008', message: 'redis is down', httpStatus: 500 });
    expect(err.details).toBeUndefined();
  });

  it('when given a status and details, then both are kept for the response', () => {
    const err = new AppError(ERROR_CODES.INVALID_REQUEST, 'bad items', 400, { lines: [3] });
    expect(err.httpStatus).toBe(400);
    expect(err.details).toEqual({ lines: [3] });
  });

  it('when codes are listed, then every code is distinct and VOD-shaped', () => {
    const codes = Object.values(ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^RFS\.\d{4}$/);
  });
});
