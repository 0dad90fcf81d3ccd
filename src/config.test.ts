import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database with prepared statements on', () => {
    const config = loadConfig({});
    expect(config.backend).toBe('pglite');
    expect(config.pgPreparedStatements).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.conversationCacheBytes).toBe(4 * 1024 * 1024);
  });

  it('sizes the conversation cache in MB, 0 turning it off', () => {
    expect(loadConfig({ COMERIX_CONVERSATION_CACHE_MB: '0' }).conversationCacheBytes).toBe(0);
    expect(loadConfig({ COMERIX_CONVERSATION_CACHE_MB: '0.5' }).conversationCacheBytes).toBe(512 * 1024);
    expect(() => loadConfig({ COMERIX_CONVERSATION_CACHE_MB: '-1' })).toThrow(/COMERIX_CONVERSATION_CACHE_MB/);
  });

  it('reads the embedded vacuum interval (0 turns it off)', () => {
    expect(loadConfig({}).pgliteVacuumMs).toBe(10_000);
    expect(loadConfig({ COMERIX_PGLITE_VACUUM_SECONDS: '0' }).pgliteVacuumMs).toBe(0);
    expect(() => loadConfig({ COMERIX_PGLITE_VACUUM_SECONDS: '-1' })).toThrow(/COMERIX_PGLITE_VACUUM_SECONDS/);
  });

  it('reads the usage metering switch, its flush interval, the upload directory and quota', () => {
    const defaults = loadConfig({});
    expect(defaults.usageMetering).toBe(true);
    expect(defaults.usageFlushMs).toBe(10_000);
    expect(defaults.uploadDir).toBeUndefined();
    expect(defaults.uploadsPerKeyPerDay).toBe(1000);
    const set = loadConfig({
      COMERIX_USAGE_METERING: 'off',
      COMERIX_USAGE_FLUSH_SECONDS: '0.5',
      COMERIX_UPLOAD_DIR: '/var/lib/comerix/uploads',
      COMERIX_UPLOADS_PER_KEY_PER_DAY: '0',
    });
    expect(set.usageMetering).toBe(false);
    expect(set.usageFlushMs).toBe(500);
    expect(set.uploadDir).toBe('/var/lib/comerix/uploads');
    expect(set.uploadsPerKeyPerDay).toBe(0);
    expect(() => loadConfig({ COMERIX_USAGE_METERING: 'maybe' })).toThrow(/COMERIX_USAGE_METERING/);
  });

  it('turns prepared statements off for poolers that cannot keep them', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db.example/comerix',
      COMERIX_MASTER_KEY: 'a'.repeat(64),
      COMERIX_PG_PREPARED_STATEMENTS: 'off',
    });
    expect(config.backend).toBe('postgres');
    expect(config.pgPreparedStatements).toBe(false);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ COMERIX_PG_PREPARED_STATEMENTS: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ COMERIX_PG_PREPARED_STATEMENTS: 'maybe' })).toThrow(/COMERIX_PG_PREPARED_STATEMENTS/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('bounds the shutdown deadline, 10 s by default', () => {
    expect(loadConfig({}).shutdownMs).toBe(10_000);
    expect(loadConfig({ COMERIX_SHUTDOWN_SECONDS: '2.5' }).shutdownMs).toBe(2500);
    expect(() => loadConfig({ COMERIX_SHUTDOWN_SECONDS: '0' })).toThrow(/COMERIX_SHUTDOWN_SECONDS/);
    expect(() => loadConfig({ COMERIX_SHUTDOWN_SECONDS: '601' })).toThrow(/COMERIX_SHUTDOWN_SECONDS/);
  });

  it('serves no metrics by default; a token must be long enough to guess at no better than a key', () => {
    const plain = loadConfig({});
    expect(plain.metricsToken).toBeUndefined();
    expect(plain.metricsPort).toBeUndefined();
    expect(plain.metricsHost).toBe('127.0.0.1');
    const token = 'x'.repeat(24);
    expect(loadConfig({ COMERIX_METRICS_TOKEN: token, COMERIX_METRICS_PORT: '9464' })).toMatchObject({
      metricsToken: token,
      metricsPort: 9464,
    });
    expect(() => loadConfig({ COMERIX_METRICS_TOKEN: 'short' })).toThrow(/COMERIX_METRICS_TOKEN/);
    expect(() => loadConfig({ COMERIX_METRICS_TOKEN: `${'x'.repeat(24)} y` })).toThrow(/COMERIX_METRICS_TOKEN/);
  });
});
