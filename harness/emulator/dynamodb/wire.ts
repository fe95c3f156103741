/**
 * DynamoDB's response bodies, with each stored item's JSON text made once.
 *
 * JSON.stringify of a Query page is most of what a Query costs here: 100
 * items of ~270 bytes are ~1,200 small objects (every attribute value is an
 * object), ~90 µs per page however fast the read was (bench/dynamodb.ts). In
 * memory the store hands back the very object it keeps until the item is
 * written again (a write stores a new object; nothing changes a stored item
 * in place, see dynalite.ts), so the text of an item object is remembered
 * per object and a page is the texts joined. The bytes are exactly what
 * JSON.stringify of the whole output gives.
 */
import type { Item } from './dynalite.ts';

const itemTexts = new WeakMap<Item, string>();

/** The JSON of one item, made on the first answer that holds this object. */
function itemJson(item: Item): string {
  let text = itemTexts.get(item);
  if (text === undefined) {
    text = JSON.stringify(item);
    itemTexts.set(item, text);
  }
  return text;
}

function itemsJson(items: Item[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + itemJson(items[i]!);
  return `${out}]`;
}

/**
 * The members that hold items in DynamoDB's outputs: `Item` (GetItem,
 * TransactGetItems responses), `Attributes` (ReturnValues), `Items` (Query,
 * Scan), `Responses` (BatchGetItem: table → items; TransactGetItems: a list
 * of `{ Item }`). Everything else is JSON.stringify'd as it is.
 */
function memberJson(name: string, value: unknown): string {
  if (value !== null && typeof value === 'object') {
    if ((name === 'Item' || name === 'Attributes') && !Array.isArray(value)) return itemJson(value as Item);
    if (name === 'Items' && Array.isArray(value)) return itemsJson(value as Item[]);
    if (name === 'Responses') {
      if (Array.isArray(value)) return `[${value.map((r) => (r !== null && typeof r === 'object' ? outputJson(r as Record<string, unknown>) : JSON.stringify(r))).join(',')}]`;
      return objectJson(value as Record<string, unknown>, (items) => (Array.isArray(items) ? itemsJson(items as Item[]) : JSON.stringify(items)));
    }
  }
  return JSON.stringify(value);
}

function objectJson(value: Record<string, unknown>, member: (v: unknown, name: string) => string): string {
  let out = '{';
  let first = true;
  for (const name of Object.keys(value)) {
    const v = value[name];
    // As JSON.stringify: members that are undefined (or functions) are left out.
    if (v === undefined || typeof v === 'function') continue;
    out += `${first ? '' : ','}${JSON.stringify(name)}:${member(v, name)}`;
    first = false;
  }
  return `${out}}`;
}

/** The members memberJson treats apart; an output with none of them is JSON.stringify's alone. */
const ITEM_MEMBERS = ['Item', 'Attributes', 'Items', 'Responses'];

/** One operation's output as the response body. */
export function outputJson(output: Record<string, unknown>): string {
  if (!ITEM_MEMBERS.some((name) => output[name] !== undefined)) return JSON.stringify(output);
  return objectJson(output, (v, name) => memberJson(name, v));
}
