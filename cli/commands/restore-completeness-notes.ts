/**
 * What `restore` adds after a dump restore's result when the dump's manifest says it may be
 * incomplete (`completenessNotes`: its user's grants could not all be read when it was
 * taken). The verification compares with that manifest, so it cannot rule this out: its
 * status is `unknown`.
 */
export function completenessNotice(output: unknown): string | undefined {
  const notes = (output as { verification?: { completenessNotes?: unknown } } | undefined)?.verification?.completenessNotes;
  if (!Array.isArray(notes) || notes.length === 0) {
    return undefined;
  }
  return [
    'Note: the dump may be incomplete: its user\'s grants could not all be read when it was taken, so the restored instance may lack what that user could not see '
      + '(the verification compares with the dump\'s own manifest and cannot tell, so it reads unknown, not ok):',
    ...notes.map((note) => `  ${String(note)}`),
  ].join('\n');
}
