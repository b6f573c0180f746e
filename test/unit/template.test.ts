import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  escapeHtml,
  renderTemplate,
  TemplateSyntaxError,
} from '../../shared/domain/template.ts';

const render = (
  source: string,
  scope: { profile?: Record<string, unknown>; context?: Record<string, unknown> },
  html = false,
) =>
  renderTemplate(
    compileTemplate(source),
    { profile: scope.profile ?? {}, context: scope.context ?? {} },
    html,
  );

describe('templates', () => {
  it('substitute profile and context paths, with spaces inside the braces', () => {
    const result = render('Hi {{profile.name.first}}, code {{ context.code }}.', {
      profile: { name: { first: 'Ann' } },
      context: { code: 42 },
    });
    expect(result).toEqual({ output: 'Hi Ann, code 42.', missing: [] });
  });

  it('list every variable they name', () => {
    expect(compileTemplate('{{profile.a}} {{{context.b}}} {{profile.a}}').variables).toEqual([
      'profile.a',
      'context.b',
      'profile.a',
    ]);
  });

  it('escape values in HTML except in triple braces', () => {
    const result = render('{{context.v}}|{{{context.v}}}', { context: { v: `<a href="x">'&'</a>` } }, true);
    expect(result.output).toBe(
      `&lt;a href&#61;&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;|<a href="x">'&'</a>`,
    );
    expect(escapeHtml('`=')).toBe('&#96;&#61;');
  });

  it('render missing values empty and report each once', () => {
    expect(render('[{{profile.x}}][{{context.y.z}}][{{profile.x}}]', {})).toEqual({
      output: '[][][]',
      missing: ['profile.x', 'context.y.z'],
    });
  });

  it('stringify numbers, booleans and objects; null is missing', () => {
    expect(
      render('{{context.n}} {{context.b}} {{context.o}} {{context.z}}', {
        context: { n: 1.5, b: false, o: { k: 1 }, z: null },
      }),
    ).toEqual({
      output: '1.5 false {"k":1} ',
      missing: ['context.z'],
    });
  });

  it('never read inherited properties', () => {
    const result = render('{{profile.constructor}}{{profile.__proto__}}{{context.toString}}', {});
    expect(result.output).toBe('');
    expect(result.missing).toEqual(['profile.constructor', 'profile.__proto__', 'context.toString']);
  });

  it.each([
    ['Hi {{profile.name', 'never closed'],
    ['{{user.name}}', 'only profile.*, context.* and unsubscribeUrl'],
    ['{{profile}}', 'not a variable path'],
    ['{{profile.a b}}', 'not a variable path'],
    ['{{#if profile.a}}x{{/if}}', 'only profile.*, context.* and unsubscribeUrl'],
  ])('refuse %s', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate(source)).toThrow(message);
  });
});

describe('compileTemplate', () => {
  it('keeps text without variables as one text part', () => {
    expect(compileTemplate('Hello, world. { } }}')).toEqual({
      parts: [{ kind: 'text', text: 'Hello, world. { } }}' }],
      variables: [],
    });
    expect(compileTemplate('')).toEqual({ parts: [], variables: [] });
  });

  it('splits text and variables, with root, path and rawness', () => {
    expect(compileTemplate('a{{profile.a.b}}b{{ context.x }}{{{context.y}}}c').parts).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'variable', root: 'profile', path: ['a', 'b'], raw: false },
      { kind: 'text', text: 'b' },
      { kind: 'variable', root: 'context', path: ['x'], raw: false },
      { kind: 'variable', root: 'context', path: ['y'], raw: true },
      { kind: 'text', text: 'c' },
    ]);
  });

  it('accepts letters, digits, _ and - in path segments', () => {
    expect(compileTemplate('{{profile.order_1.line-2.0}}').variables).toEqual(['profile.order_1.line-2.0']);
  });

  it.each([
    ['Hi {{profile.name', 3, 'never closed'],
    ['Hi {{{profile.name}}', 3, "'{{{' at offset 3 is never closed"],
    ['Hi {{user.x}}', 3, 'only profile.*, context.* and unsubscribeUrl'],
    ['{{}}', 0, 'only profile.*, context.* and unsubscribeUrl'],
    ['{{ }}', 0, 'only profile.*, context.* and unsubscribeUrl'],
    ['ab{{context}}', 2, 'not a variable path'],
    ['{{profile.}}', 0, 'not a variable path'],
    ['{{profile..a}}', 0, 'not a variable path'],
    ['{{profile.a/b}}', 0, 'not a variable path'],
    ['{{profile.a[0]}}', 0, 'not a variable path'],
    ['{{ profile . a }}', 0, 'only profile.*, context.* and unsubscribeUrl'],
    ['ok {{context.a}} then {{profile.x y}}', 22, 'not a variable path'],
  ])('refuses %j at offset %i', (source, offset, message) => {
    let caught: unknown;
    try {
      compileTemplate(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateSyntaxError);
    expect((caught as TemplateSyntaxError).offset).toBe(offset);
    expect((caught as TemplateSyntaxError).message).toContain(message);
  });
});

describe('renderTemplate', () => {
  it.each([
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['&', '&amp;'],
    ['"', '&quot;'],
    ["'", '&#39;'],
  ])('escapes %s in {{}} for HTML but not in {{{}}}', (char, escaped) => {
    expect(render(`{{context.v}}|{{{context.v}}}`, { context: { v: `a${char}b` } }, true).output).toBe(
      `a${escaped}b|a${char}b`,
    );
  });

  it('does not escape when the field is not HTML', () => {
    expect(render('{{context.v}}', { context: { v: '<b>&</b>' } }, false).output).toBe('<b>&</b>');
  });

  it('does not escape the template text itself, only the values', () => {
    expect(render('<p class="x">{{context.v}}</p>', { context: { v: '&' } }, true).output).toBe(
      '<p class="x">&amp;</p>',
    );
  });

  it('reads nested objects and array elements by index', () => {
    const result = render('{{profile.address.city}} {{profile.orders.1.id}}', {
      profile: { address: { city: 'Lyon' }, orders: [{ id: 'a' }, { id: 'b' }] },
    });
    expect(result).toEqual({ output: 'Lyon b', missing: [] });
  });

  it('stringifies numbers, booleans, zero, empty strings, arrays and nested objects', () => {
    expect(
      render('[{{context.zero}}][{{context.t}}][{{context.e}}][{{context.arr}}][{{context.o}}]', {
        context: { zero: 0, t: true, e: '', arr: [1, 'x'], o: { a: { b: null } } },
      }),
    ).toEqual({ output: '[0][true][][[1,"x"]][{"a":{"b":null}}]', missing: [] });
  });

  it('HTML-escapes stringified objects too', () => {
    expect(render('{{context.o}}', { context: { o: { k: '<' } } }, true).output).toBe(
      '{&quot;k&quot;:&quot;&lt;&quot;}',
    );
  });

  it('treats a path through a non-object as missing', () => {
    expect(render('[{{profile.name.first}}]', { profile: { name: 'Ann' } })).toEqual({
      output: '[]',
      missing: ['profile.name.first'],
    });
  });

  it('lists a missing variable once however it is written, and keeps order of first use', () => {
    expect(render('{{context.b}}{{ profile.a }}{{{profile.a}}}{{context.b}}', {}).missing).toEqual([
      'context.b',
      'profile.a',
    ]);
  });

  it('never resolves prototype members, at the root or nested', () => {
    const inherited = Object.create({ secret: 'inherited' }) as Record<string, unknown>;
    const result = render(
      '[{{profile.constructor}}][{{profile.__proto__}}][{{profile.a.hasOwnProperty}}][{{context.x.secret}}][{{context.constructor.name}}]',
      { profile: { a: {} }, context: { x: inherited } },
    );
    expect(result.output).toBe('[][][][][]');
    expect(result.output).not.toContain('function');
    expect(result.missing).toEqual([
      'profile.constructor',
      'profile.__proto__',
      'profile.a.hasOwnProperty',
      'context.x.secret',
      'context.constructor.name',
    ]);
  });

  it('does not mix the profile and context scopes', () => {
    expect(render('{{profile.x}}|{{context.x}}', { profile: { x: 'p' }, context: { x: 'c' } }).output).toBe(
      'p|c',
    );
    expect(render('{{profile.x}}', { context: { x: 'c' } }).missing).toEqual(['profile.x']);
  });
});
