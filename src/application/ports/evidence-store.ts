/**
 * Where evidence files are kept: a local folder (content-addressed by SHA-256, outside the
 * web root) or the SharePoint document library "Rectify Evidence", one folder per CAR.
 * A file reaches the store only after the checks (size, type by content, name) passed.
 */

/** Bytes read at an offset, for checks that look at a file's head or its end (a zip's index). */
export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A file that passed the checks, ready to store. */
export interface CheckedEvidence {
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  /** The sanitised file name. */
  readonly name: string;
  /** The media type found by looking at the content (never the one the sender claimed). */
  readonly type: string;
  readonly size: number;
}

export interface StoredEvidence extends CheckedEvidence {
  /** Where the store keeps it, for the audit trail and downloads (a path, a drive item id). */
  readonly location: string;
}

export interface EvidenceStore {
  /**
   * Stores the content for a CAR, reading it chunk by chunk (never all at once). Storing the
   * same content again for the same CAR keeps one copy and answers the same location.
   */
  put(
    carId: string,
    file: CheckedEvidence,
    content: () => AsyncIterable<Uint8Array>,
  ): Promise<StoredEvidence>;
  /** The content of a stored file, chunk by chunk, or null if the store does not hold it. */
  open(carId: string, sha256: string): Promise<AsyncIterable<Uint8Array> | null>;
}
