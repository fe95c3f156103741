/**
 * GetRandomPassword (API_GetRandomPassword), which the AWS rotation templates
 * call in their createSecret step. Characters come from the seeded IdSource,
 * so a seeded run generates the same passwords.
 */
import type { IdSource } from '../../core/index.ts';
import { InvalidParameterException } from './errors.ts';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
// API_GetRandomPassword: "! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \ ] ^ _ ` { | } ~"
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export interface PasswordOptions {
  length: number;
  excludeCharacters: string;
  excludeNumbers: boolean;
  excludePunctuation: boolean;
  excludeUppercase: boolean;
  excludeLowercase: boolean;
  includeSpace: boolean;
  requireEachIncludedType: boolean;
}

export function randomPassword(ids: IdSource, o: PasswordOptions): string {
  const keep = (set: string) => [...set].filter((c) => !o.excludeCharacters.includes(c)).join('');
  const classes = [
    o.excludeLowercase ? '' : keep(LOWER),
    o.excludeUppercase ? '' : keep(UPPER),
    o.excludeNumbers ? '' : keep(DIGITS),
    o.excludePunctuation ? '' : keep(PUNCTUATION),
    o.includeSpace ? keep(' ') : '',
  ].filter((c) => c.length > 0);
  const all = classes.join('');
  if (all.length === 0) throw InvalidParameterException('The password has no characters left to choose from: every character type is excluded.');
  if (o.requireEachIncludedType && classes.length > o.length) {
    throw InvalidParameterException(`PasswordLength ${o.length} is too short to include one character of each of the ${classes.length} included types.`);
  }
  const pick = (set: string) => set[Math.floor(ids.random() * set.length)]!;
  const chars: string[] = [];
  if (o.requireEachIncludedType) for (const c of classes) chars.push(pick(c));
  while (chars.length < o.length) chars.push(pick(all));
  // Fisher–Yates, so the required characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.floor(ids.random() * (i + 1));
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
