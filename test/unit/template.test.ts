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
    ['{{user.name}}', 'only profile.* and context.*'],
    ['{{profile}}', 'not a variable path'],
    ['{{profile.a b}}', 'not a variable path'],
    ['{{#if profile.a}}x{{/if}}', 'only profile.* and context.*'],
  ])('refuse %s', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate(source)).toThrow(message);
  });
});
