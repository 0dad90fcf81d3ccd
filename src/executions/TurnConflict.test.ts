import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/AppError.js';
import { retryTurn, TurnConflict } from './TurnConflict.js';

describe('retryTurn', () => {
  it('returns the value once the turn succeeds after two conflicts', async () => {
    let calls = 0;
    const value = await retryTurn(async () => {
      calls += 1;
      if (calls <= 2) throw new TurnConflict();
      return 'done';
    });
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('rethrows any other error at once, without a retry', async () => {
    let calls = 0;
    const boom = new Error('boom');
    await expect(
      retryTurn(async () => {
        calls += 1;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });

  it('rethrows an AppError unchanged (a 409 of the turn itself is not a conflict to retry)', async () => {
    let calls = 0;
    const busy = new AppError('conversation_busy', 'busy');
    await expect(
      retryTurn(async () => {
        calls += 1;
        throw busy;
      }),
    ).rejects.toBe(busy);
    expect(calls).toBe(1);
  });

  it('gives up after 8 consecutive conflicts with 409 conversation_busy and Retry-After', async () => {
    let calls = 0;
    const error = await retryTurn(async () => {
      calls += 1;
      throw new TurnConflict();
    }).catch((e: unknown) => e);
    expect(calls).toBe(8);
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(TurnConflict);
    const appError = error as AppError;
    expect(appError.code).toBe('conversation_busy');
    expect(appError.status).toBe(409);
    expect(appError.retryable).toBe(true);
    expect(appError.headers).toEqual({ 'Retry-After': '1' });
  });

  it('succeeds on the 8th attempt (the last one allowed)', async () => {
    let calls = 0;
    const value = await retryTurn(async () => {
      calls += 1;
      if (calls < 8) throw new TurnConflict();
      return calls;
    });
    expect(value).toBe(8);
  });
});

describe('TurnConflict.from', () => {
  it.each([
    ['the turn guard (CX409)', { code: 'CX409' }],
    ['a deadlock (40P01)', { code: '40P01' }],
    ['a serialization failure (40001)', { code: '40001' }],
    ['the open-execution unique index', { code: '23505', constraint: 'executions_open' }],
  ])('maps %s to TurnConflict', (_name, error) => {
    const mapped = TurnConflict.from(Object.assign(new Error('db'), error));
    expect(mapped).toBeInstanceOf(TurnConflict);
    expect(TurnConflict.from(error)).toBeInstanceOf(TurnConflict);
  });

  it('returns a TurnConflict as is', () => {
    const conflict = new TurnConflict();
    expect(TurnConflict.from(conflict)).toBe(conflict);
  });

  it.each([
    ['another unique violation', Object.assign(new Error('dup'), { code: '23505', constraint: 'other' })],
    ['a unique violation without a constraint', Object.assign(new Error('dup'), { code: '23505' })],
    ['another SQLSTATE', Object.assign(new Error('syntax'), { code: '42601' })],
    ['a plain Error', new Error('plain')],
    ['an AppError', new AppError('conversation_busy', 'busy')],
  ])('leaves %s unchanged', (_name, error) => {
    expect(TurnConflict.from(error)).toBe(error);
  });

  it('leaves non-objects unchanged', () => {
    expect(TurnConflict.from(undefined)).toBeUndefined();
    expect(TurnConflict.from(null)).toBeNull();
    expect(TurnConflict.from('CX409')).toBe('CX409');
  });
});
