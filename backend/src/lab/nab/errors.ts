/** A problem with NAB input (corpus, labels, results files): reported to users as a plain message. */
export class NabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NabError';
  }
}
