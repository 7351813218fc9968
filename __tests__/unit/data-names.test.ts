import { describe, expect, test } from '@jest/globals';
import {
  databaseName,
  isIdentifier,
  previewOfIdentifier,
  quoteIdent,
  quoteTemplate,
  templateProblem,
} from '../../src/data/names.js';
import { previewName } from '../../src/naming.js';

describe('databaseName', () => {
  test('is the preview name with - turned into _', () => {
    expect(databaseName('shop-pr-42')).toBe('shop_pr_42');
    expect(databaseName('pr-3')).toBe('pr_3');
  });

  test('fits PostgreSQL identifiers (63 bytes) for the longest preview names, untruncated', () => {
    const name = previewName('a-'.repeat(40), 123456);
    expect(name.length).toBe(63);
    const ident = databaseName(name);
    expect(Buffer.byteLength(ident)).toBe(63);
    expect(ident.replace(/_/g, '-')).toBe(name);
  });

  test('gives two previews two names (the mapping is one-to-one on preview names)', () => {
    const names = ['shop-pr-1', 'shop-pr-11', 'shop-a-pr-1', 'shop-pr-a-pr-1', 'pr-1'];
    expect(new Set(names.map(databaseName)).size).toBe(names.length);
  });

  test('refuses what is not a preview name', () => {
    for (const bad of [
      'Shop-pr-1',
      'shop_pr_1',
      '-shop-pr-1',
      'shop pr 1',
      'shop"pr',
      'a'.repeat(64),
      '',
      'shop_pr_1;drop',
    ]) {
      expect(() => databaseName(bad)).toThrow(/not a preview name/);
    }
  });
});

describe('quoteIdent', () => {
  test('double-quotes validated identifiers, so a leading digit and case rules cannot bite', () => {
    expect(quoteIdent('shop_pr_1')).toBe('"shop_pr_1"');
    expect(quoteIdent('3d_shop_pr_1')).toBe('"3d_shop_pr_1"');
  });

  test('refuses anything that could leave the quotes or change the meaning', () => {
    for (const bad of [
      'a"b',
      'x"; DROP DATABASE postgres; --',
      'Shop',
      'a-b',
      'a b',
      '',
      'é',
      'a'.repeat(64),
      'a\u0000',
    ]) {
      expect(isIdentifier(bad)).toBe(false);
      expect(() => quoteIdent(bad)).toThrow(/refusing to put/);
    }
  });
});

describe('template names', () => {
  test('accepts names teams give databases, kept exactly (quoted, case and all)', () => {
    for (const ok of ['tpl', 'Shop_Template', 'shop-template', 'tpl$2']) {
      expect(templateProblem(ok)).toBeUndefined();
      expect(quoteTemplate(ok)).toBe(`"${ok}"`);
    }
  });

  test('refuses quotes, spaces, separators and overlong names', () => {
    for (const bad of ['tp"l', 'my template', 'a;b', '-tpl', 'a'.repeat(64), '']) {
      expect(templateProblem(bad)).toMatch(/not a database name/);
      expect(() => quoteTemplate(bad)).toThrow(/not a database name/);
    }
  });
});

describe('previewOfIdentifier', () => {
  test("maps this app's preview identifiers back to the preview and its PR", () => {
    expect(previewOfIdentifier('shop', 'shop_pr_42')).toEqual({ name: 'shop-pr-42', pr: 42 });
    expect(previewOfIdentifier('My.Shop', 'my_shop_pr_7')).toEqual({ name: 'my-shop-pr-7', pr: 7 });
    const long = previewName('b'.repeat(80), 99);
    expect(previewOfIdentifier('b'.repeat(80), databaseName(long))).toEqual({ name: long, pr: 99 });
  });

  test('never claims names that are not exactly one of its previews', () => {
    for (const foreign of [
      'shop',
      'shop_pr_0',
      'shop_pr_01',
      'shop_pr_1_old',
      'shop_pr_x',
      'cart_pr_1',
      'myshop_pr_1',
      'shop_shop_pr_1',
      'Shop_pr_1',
      'shop-pr-1',
      'postgres',
      'template1',
    ]) {
      expect(previewOfIdentifier('shop', foreign)).toBeUndefined();
    }
  });
});
