import { UUID } from 'uuidv7';
import { expect, it } from 'vitest';
import { newId } from './newId.js';

it('is a UUIDv7 in canonical form, and ids made later sort later', () => {
  const ids = Array.from({ length: 1000 }, newId);
  for (const id of ids) {
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(UUID.parse(id).toString()).toBe(id);
  }
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
});
