import { Button, Checkbox, Field, Text, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import * as calls from '../../api/more-calls.js';
import { useSession } from '../../api/api-context.js';
import { ApiError } from '../../api/rectify-client.js';
import type { ImportReport } from '../../api/types.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Notice } from '../../components/Notice.js';
import { Section } from '../../components/Section.js';
import { useImportStyles } from './ImportView.styles.js';

/** A file's bytes as base64, in chunks (a large spreadsheet overflows one call's arguments). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * The MR's import of the former register: choose the XLSX or CSV file (and a mapping for the
 * columns the suggestion does not know), look at the preview, then import. The server decides
 * everything; this page only shows what it answered.
 */
export function ImportView() {
  const { client } = useSession();
  const styles = useImportStyles();
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState('');
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (dryRun: boolean): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const report = await calls.importRegister(client, {
        fileName: file.name,
        content: await base64Of(file),
        ...(mapping.trim() === '' ? {} : { mapping }),
        dryRun,
        allOrNothing,
      });
      if (dryRun) {
        setPreview(report);
        setResult(null);
      } else setResult(report);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'CLIENT.UNEXPECTED', String(e)));
    } finally {
      setBusy(false);
    }
  };

  const shown = result ?? preview;
  return (
    <div className={styles.page}>
      <Text as="h2" size={600}>
        Import the former register
      </Text>
      <Text as="p">
        Each row becomes a CAR in the state it had, with its dates and actions. Importing the same
        file again changes nothing.
      </Text>
      <div className={styles.row}>
        <input
          type="file"
          accept=".xlsx,.csv"
          aria-label="Register file (XLSX or CSV)"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setPreview(null);
            setResult(null);
          }}
        />
        <Checkbox
          label="Import nothing if a row cannot be imported"
          checked={allOrNothing}
          onChange={(_e, d) => {
            setAllOrNothing(d.checked === true);
          }}
        />
      </div>
      <Field label="Mapping (mapping.yaml, optional)">
        <Textarea
          className={styles.mapping}
          value={mapping}
          onChange={(_e, d) => {
            setMapping(d.value);
          }}
          placeholder={'columns:\n  "NC Ref": number'}
        />
      </Field>
      <div className={styles.row}>
        <Button disabled={!file || busy} onClick={() => void send(true)}>
          Preview
        </Button>
        <Button
          appearance="primary"
          disabled={!preview || busy || result !== null}
          onClick={() => void send(false)}
        >
          Import {preview ? `${preview.counts.valid} rows` : ''}
        </Button>
      </div>
      {error ? <ErrorBar error={error} title="The register could not be imported" /> : null}
      {result ? (
        <Notice intent={result.counts.failed > 0 ? 'warning' : 'success'} title="Imported">
          {result.counts.imported} imported, {result.counts.unchanged} already there,{' '}
          {result.counts.failed} could not be imported.
        </Notice>
      ) : null}
      {shown ? (
        <>
          <Section title="Columns">
            <table className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">CAR field</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(shown.mapping.columns).map(([header, field]) => (
                  <tr key={header}>
                    <td>{header}</td>
                    <td>{field}</td>
                  </tr>
                ))}
                {shown.unmappedHeaders.map((header) => (
                  <tr key={header}>
                    <td>{header}</td>
                    <td>not imported (map it in the mapping)</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title={`Rows that cannot be imported (${shown.counts.failed})`}>
            <table className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Former number</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {shown.rows
                  .filter((r) => r.outcome === 'failed')
                  .map((r) => (
                    <tr key={r.row}>
                      <td>{r.row}</td>
                      <td>{r.reference ?? ''}</td>
                      <td>{r.reason ?? ''}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </Section>
        </>
      ) : null}
    </div>
  );
}
