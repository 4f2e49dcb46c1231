/** What every part of the report site makes: files, and the stored runs it could not read. */

/** One file of the site. */
export interface SiteFile {
  /** Relative to the site's root, "/" separated. */
  path: string;
  body: string;
  contentType: string;
}

/** A stored run the site could not read, listed on the index instead of a page. */
export interface SkippedRun {
  id: string;
  startedAt: string;
  reason: string;
}
