import { DURATIONS_MS, deliveryJob, dollars, LIMITS, PEAK, PRICES, paths, peak } from './cost-model.ts';

/**
 * `npm run cost`: dollars per million messages on AWS for each path, and what the design peak
 * needs, from bench/cost-model.ts (the pinned call counts, measured sizes, the function table's
 * memory, list prices). docs/cost.md shows this output; test/unit/cost.test.ts keeps them equal.
 */
export function costReport(): string {
  const lines: string[] = [];
  const money = (n: number) => `$${n.toFixed(2)}`.padStart(9);
  lines.push('$ per million, us-east-1 list prices of 2026-12-03');
  lines.push('path                  per       API   Lambda  DynamoDB  SQS+SNS      SES    total  w/o SES');
  for (const path of paths()) {
    const d = dollars(path.usage);
    const m = (n: number) => money(n * 1e6);
    lines.push(
      `${path.name.padEnd(21)} ${path.per.padEnd(7)}${m(d.api)}${m(d.lambda)}${m(d.dynamodb)}${m(d.sqs)}${m(d.ses)}${m(d.total)}${m(d.total - d.ses)}`,
    );
  }
  lines.push(
    `(a retry, resend or recovery: ${money(dollars(deliveryJob()).total * 1e6).trim()} per million delivery jobs on top)`,
  );
  lines.push('');
  lines.push('units per million');
  lines.push('path                  per         write units   read units  SQS requests     GB-s');
  for (const path of paths()) {
    const u = path.usage;
    const n = (v: number, w: number) => (v * 1e6).toFixed(0).padStart(w);
    lines.push(
      `${path.name.padEnd(21)} ${path.per.padEnd(7)}${n(u.writeUnits, 16)}${n(u.readUnits, 13)}${n(u.sqsRequests, 14)}${n(u.gbSeconds, 9)}`,
    );
  }
  lines.push('');
  lines.push(
    `peak: ${PEAK.callsPerSecond} calls/s × ${PEAK.recipients} recipients = ${PEAK.callsPerSecond * PEAK.recipients} messages/s`,
  );
  for (const [mode, webhooks] of [
    ['unitary', false],
    ['unitary', true],
    ['high-throughput', false],
    ['high-throughput', true],
  ] as const) {
    const p = peak(mode, webhooks);
    const c = p.concurrency;
    lines.push(`${mode}${webhooks ? `, one webhook taking all ${p.events} events/s` : ', no webhooks'}:`);
    lines.push(
      `  DynamoDB ${Math.round(p.usage.writeUnits)} write + ${Math.round(p.usage.readUnits)} read units/s (≥ ${p.partitions} partitions; table quota ${LIMITS.tableWriteUnitsPerSecond} each: enough for ${Math.round(p.ceilings.tableMessagesPerSecond)} messages/s)`,
    );
    lines.push(
      `  SQS ${Math.round(p.usage.sqsRequests)} requests/s; Lambda concurrency ${Math.round(c.executions + c.dispatch + c.feedback)} (executions ${Math.round(c.executions)}, dispatch ${Math.round(c.dispatch)}, feedback ${Math.round(c.feedback)}; account default ${LIMITS.lambdaConcurrency})`,
    );
    lines.push(
      `  event sources: dispatch lets through ${Math.round(p.ceilings.dispatchMessagesPerSecond)} messages/s, feedback ${Math.round(p.ceilings.feedbackRecordsPerSecond)} events/s (${p.events} needed); about $${p.dollarsPerHour.toFixed(0)} an hour`,
    );
    lines.push(
      `  throttled first by: ${p.limits
        .slice(0, 3)
        .map((l) => `${l.limit} at ${Math.round(l.messages)} messages/s`)
        .join(', then ')}`,
    );
  }
  lines.push('');
  lines.push(
    `assumed billed ms: unitary call ${DURATIONS_MS.unitaryCall}, high-throughput call ${DURATIONS_MS.highThroughputCall}, dispatch job ${DURATIONS_MS.dispatchJob}, fanout page ${DURATIONS_MS.fanoutPage}, webhook fan-out ${DURATIONS_MS.fanOutEvent} + attempt ${DURATIONS_MS.delivery}; SES $${PRICES.sesEmail * 1000} per 1,000`,
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(costReport());
