import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/UsageError.js';
import { parseProperties } from './goalCli.js';

describe('goal:create --property', () => {
  it('builds an equality map from name=value pairs', () => {
    expect(parseProperties(['productId=sku-1', 'note=a=b', 'empty='])).toEqual({
      productId: 'sku-1',
      note: 'a=b',
      empty: '',
    });
  });

  it('refuses a pair without a name or given twice', () => {
    expect(() => parseProperties(['=x'])).toThrow(UsageError);
    expect(() => parseProperties(['novalue'])).toThrow(UsageError);
    expect(() => parseProperties(['a=1', 'a=2'])).toThrow(UsageError);
  });
});
