/**
 * A card image's persistent cells as one map, "<aid hex>/<field>" → hex (how image versions 1–2
 * stored them): for tests that compare or pick cells across applets.
 */
export function imageCells(image: { readonly applets: readonly { readonly aid: string; readonly fields: Readonly<Record<string, string>> }[] }): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const a of image.applets) for (const [name, hex] of Object.entries(a.fields)) cells[`${a.aid}/${name}`] = hex;
  return cells;
}
