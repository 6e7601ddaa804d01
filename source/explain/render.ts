/** Explanations as lines of a given width: the CLI prints them, the panel draws them. Pure. */
import type {Explanation} from './types.js';

/**
 * Words wrapped to `width` columns (a word longer than a line is cut), each line with `indent`
 * in front. Widths count code points: the texts are plain ASCII words, a quoted address or
 * header at most, and what comes from outside has been sanitized before.
 */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const room = Math.max(1, width - [...indent].length);
  const lines: string[] = [];
  let line = '';
  const push = () => {
    lines.push(indent + line);
    line = '';
  };
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = [...word];
    if (line !== '' && [...line].length + 1 + rest.length > room) push();
    while (rest.length > room) {
      if (line !== '') push();
      line = rest.slice(0, room).join('');
      rest = rest.slice(room);
      push();
    }
    if (rest.length === 0) continue;
    line = line === '' ? rest.join('') : `${line} ${rest.join('')}`;
  }
  if (line !== '' || lines.length === 0) push();
  return lines;
}

export type ExplainLine = {text: string; style: 'title' | 'text' | 'refs'};

/** One explanation as styled lines: its title, its paragraphs (indented two), its references. */
export function explanationLines(explanation: Explanation, width: number): ExplainLine[] {
  const lines: ExplainLine[] = wrapWords(explanation.title, width).map((text) => ({
    text,
    style: 'title',
  }));
  for (const paragraph of explanation.paragraphs) {
    for (const text of wrapWords(paragraph, width, '  ')) lines.push({text, style: 'text'});
  }
  if (explanation.refs.length > 0) {
    for (const text of wrapWords(`see ${explanation.refs.join(', ')}`, width, '  '))
      lines.push({text, style: 'refs'});
  }
  return lines;
}

/** Explanations as plain text for a terminal or a pipe, a blank line between them. */
export function explanationText(explanations: readonly Explanation[], width: number): string {
  return explanations
    .map((explanation) =>
      explanationLines(explanation, width)
        .map((line) => line.text)
        .join('\n'),
    )
    .join('\n\n');
}
