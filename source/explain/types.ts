/** What `i` and `porthole explain` show, as plain data: titled sections of plain words. */

/** One thing explained: a title, a few paragraphs, and where to read more. */
export type Explanation = {
  title: string;
  /** Each a paragraph, wrapped to the width it is shown at. */
  paragraphs: readonly string[];
  /** RFCs and other references, `RFC 9110 §15.5.5`. */
  refs: readonly string[];
};

/** What the explain panel says about the selected thing: a heading, then one section per fact. */
export type ExplainSubject = {
  /** The thing itself: `tcp 0.0.0.0:22 LISTEN sshd`, `eth0 192.168.1.20/24`. */
  heading: string;
  sections: readonly Explanation[];
};

/** The open explain panel: what it explains (taken when it opened) and how far it is scrolled. */
export type ExplainView = {subject: ExplainSubject; scroll: number};
