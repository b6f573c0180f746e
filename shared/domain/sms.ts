/**
 * How an SMS text travels: in the GSM 7-bit alphabet (160 characters, or 153 per part once split)
 * when every character is in it, else in UCS-2 (70, or 67 per part). Reported in the feedback
 * payload as AJO's `encoding` and `numberOfMessageParts`.
 */
export interface SmsSegments {
  readonly encoding: 'GSM' | 'UNICODE';
  readonly parts: number;
}

// GSM 03.38: the basic set (one septet each) and the extension table (escape + one: two septets).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/** Parts needed when characters of these sizes fill parts of `single`, or `multi` once split (never splitting one). */
function parts(sizes: readonly number[], single: number, multi: number): number {
  if (sizes.reduce((sum, size) => sum + size, 0) <= single) return 1;
  let count = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > multi) {
      count++;
      used = 0;
    }
    used += size;
  }
  return count;
}

export function smsSegments(text: string): SmsSegments {
  const characters = [...text];
  if (characters.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c))) {
    return {
      encoding: 'GSM',
      parts: parts(
        characters.map((c) => (GSM_EXTENSION.has(c) ? 2 : 1)),
        160,
        153,
      ),
    };
  }
  // UCS-2 counts UTF-16 code units: a character outside the BMP (an emoji) takes two.
  return {
    encoding: 'UNICODE',
    parts: parts(
      characters.map((c) => c.length),
      70,
      67,
    ),
  };
}
