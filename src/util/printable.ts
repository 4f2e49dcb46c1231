/**
 * Text that came from AWS or from users (tag values, SSM values, names, error messages) is made
 * safe to print on a terminal: control characters (ESC sequences that move the cursor or repaint
 * the screen, bells, backspaces) and Unicode bidirectional overrides (which make text read other
 * than it is) are removed. Newlines and tabs stay.
 */
// C0 controls except \t and \n, DEL, C1 controls; bidi embeddings, overrides, isolates and marks.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, "");
}
