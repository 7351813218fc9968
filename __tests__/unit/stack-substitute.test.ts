/**
 * ${VAR} substitution in stack files, against what faas-cli's envsubst (drone/envsubst 1.0.3: parse/scan.go,
 * parse/parse.go, funcs.go; eval_test.go's cases) does with the same text.
 */
import { describe, expect, test } from '@jest/globals';
import { SubstitutionError, substitute } from '../../src/stack/substitute.js';

const env = { REGISTRY: 'ghcr.io/acme', EMPTY: '', TAG: '1.2.3', NESTED: 'inner' };
const run = (text: string) => substitute(text, env).text;

describe('what faas-cli expands', () => {
  test.each([
    ['${REGISTRY}/api:${TAG}', 'ghcr.io/acme/api:1.2.3'],
    ['${UNSET}/api', '/api'],
    ['${EMPTY}', ''],
    ['${UNSET:-ghcr.io/fallback}', 'ghcr.io/fallback'],
    ['${EMPTY:-used when empty}', 'used when empty'],
    ['${TAG:-unused}', '1.2.3'],
    // envsubst's toDefault: '=' and ':=' also take the default when the value is empty, and assign nothing.
    ['${UNSET:=x}${UNSET}', 'x'],
    ['${EMPTY=x}', 'x'],
    ['${TAG=x}', '1.2.3'],
    ['${UNSET:-${NESTED}}', 'inner'],
    ['${UNSET:-a-${UNSET:-b}-c}', 'a-b-c'],
    ['${UNSET:-$5 and $HOME}', '$5 and $HOME'],
    ['${UNSET:-http://x:8080/y}', 'http://x:8080/y'],
  ])('%s → %s', (text, out) => {
    expect(run(text)).toBe(out);
  });

  test.each([
    ['$HOME and $TAG stay text: only braces expand', '$HOME and $TAG', '$HOME and $TAG'],
    ['$$ is a literal $', 'price: $$5', 'price: $5'],
    ['$${VAR} is a literal ${VAR}', 'echo $${TAG}', 'echo ${TAG}'],
    ['$$${VAR}: a literal $ then the value', '$$${TAG}', '$1.2.3'],
    ['$$$${VAR}: two literal $ then the braces as text', '$$$${TAG}', '$${TAG}'],
    ['a lone $ at the end', 'cost: 5$', 'cost: 5$'],
    ['a backslash before \\ or / is dropped (envsubst scanEscaped)', 'a\\\\b c\\/d', 'a\\b c/d'],
    ['other backslashes stay', 'line\\nbreak \\t \\$', 'line\\nbreak \\t \\$'],
    ['a } outside ${...} is text', 'map: {a: 1}', 'map: {a: 1}'],
  ])('%s', (_what, text, out) => {
    expect(run(text)).toBe(out);
  });

  test('values land in the text verbatim, before YAML parsing, as with faas-cli', () => {
    expect(substitute('image: ${V}\n', { V: 'x\nsecrets: [a]' }).text).toBe('image: x\nsecrets: [a]\n');
  });

  test('the variables the file referred to are listed once each, in order, defaults included', () => {
    expect(substitute('${TAG} ${UNSET:-${NESTED}} ${TAG} $HOME $${SKIPPED}', env).variables).toEqual([
      'TAG',
      'UNSET',
      'NESTED',
    ]);
  });

  test('the environment passed in is the only source: nothing comes from process.env', () => {
    process.env.FAAS_PREVIEW_TEST_SUBST = 'from-process';
    try {
      expect(substitute('${FAAS_PREVIEW_TEST_SUBST}', {}).text).toBe('');
    } finally {
      delete process.env.FAAS_PREVIEW_TEST_SUBST;
    }
  });
});

describe('what is refused, with the line and the forms that work', () => {
  test.each([
    ['no closing brace', 'a: 1\nb: ${TAG\n', 2, "'${TAG' has no closing '}'"],
    ['no closing brace after a default', 'b: ${TAG:-x\nc: 1\n', 1, "has no closing '}'"],
    ['no name', 'x: ${}', 1, "'${}' has no variable name"],
    ['a name starting with a digit', 'x: ${1A}', 1, 'has no variable name'],
    [
      '${VAR-default}, which envsubst reads as one variable named VAR-default',
      '\n\nx: ${TAG-1.0}',
      3,
      "is read by faas-cli as one variable named 'TAG-…' (always empty), not as a default; write ${TAG:-…}",
    ],
    [
      '${VAR:+word}, which envsubst treats as :-',
      'x: ${TAG:+y}',
      1,
      "'${TAG:+y}' is not a substitution faas-preview supports",
    ],
    ['${VAR:?word}', 'x: ${TAG:?required}', 1, 'is not a substitution faas-preview supports'],
    ['a bash string function', 'x: ${TAG/1/2}', 1, 'is not a substitution faas-preview supports'],
    ['a length', 'x: ${#TAG}', 1, 'has no variable name'],
    ['a substring', 'x: ${TAG:1:2}', 1, 'is not a substitution faas-preview supports'],
  ])('%s', (_what, text, line, problem) => {
    let caught: unknown;
    try {
      substitute(text, env);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SubstitutionError);
    expect((caught as SubstitutionError).line).toBe(line);
    expect((caught as SubstitutionError).message).toContain(problem);
    expect((caught as SubstitutionError).message).toContain(
      "use ${NAME}, ${NAME:-default} or ${NAME:=default}, and '$$' for a literal '$'",
    );
  });

  test('control characters of the file are shown escaped in the error', () => {
    expect(() => substitute('x: ${A\x1b[31m}', {})).toThrow("'${A\\u{1b}[31m}' has no closing");
  });
});
