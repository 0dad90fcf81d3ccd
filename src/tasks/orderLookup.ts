import type { Json } from '../engine/types.js';
import { type TaskHandler, TaskInputError } from './TaskRegistry.js';

/**
 * The demo `order_lookup` task: what a merchant's order-system call would return, computed from the number so the
 * demo works offline. Read-only, so retries are harmless.
 */
export const orderLookup: TaskHandler = async (input) => {
  const orderNumber = String((input as { order_number?: Json } | null)?.order_number ?? '');
  if (!/^[0-9]{3,10}$/.test(orderNumber)) throw new TaskInputError('order_number must be 3–10 digits');
  const n = Number(orderNumber.slice(-2));
  const status = orderNumber === '12345' || n % 3 === 0 ? 'shipped' : n % 3 === 1 ? 'processing' : 'delivered';
  const eta = new Date(Date.UTC(2026, 0, 1) + (n % 14) * 86_400_000).toISOString().slice(0, 10);
  return { order_number: orderNumber, status, eta, carrier: status === 'processing' ? null : 'DHL' };
};
