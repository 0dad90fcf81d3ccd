import { readFile } from 'node:fs/promises';
import { AppError } from '../errors/AppError.js';

/** Reads a JSON file for an import; the file is read by the CLI process, never by the server. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_request', `${path} is not valid JSON: ${(error as Error).message}`);
  }
}
