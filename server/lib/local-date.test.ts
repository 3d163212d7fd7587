import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { localDateOf } from './local-date.ts';

const reference = (zone: string, ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();

describe('localDateOf', () => {
  it('agrees with a zone conversion minute by minute across DST changes and half-hour zones, whatever was asked before', () => {
    const zones = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    // Around Europe's and America's spring and autumn changes of 2026, every 7 minutes, in an order that
    // moves back and forth between days.
    const starts = [Date.UTC(2026, 2, 7, 12), Date.UTC(2026, 2, 28, 12), Date.UTC(2026, 9, 24, 12), Date.UTC(2026, 10, 1, 0)];
    for (const zone of zones) {
      for (const start of starts) {
        for (let i = 0; i < 2 * 24 * 60; i += 7) {
          const ms = start + i * 60_000;
          expect(localDateOf(zone, ms)).toBe(reference(zone, ms));
          const back = ms - 26 * 3_600_000;
          expect(localDateOf(zone, back)).toBe(reference(zone, back));
        }
      }
    }
  });
});
