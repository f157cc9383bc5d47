/** Test answers for the Session panel: long markdown a model might send. */

/** A markdown answer of at least 5,000 characters: headings, line breaks, lists, a code block, a table; it ends with END-OF-ANSWER. */
export function longMarkdown(min = 5000): string {
  const parts: string[] = [];
  for (let i = 1; parts.join('\n\n').length < min; i++) {
    parts.push(
      `## Step ${i}: parse section ${i}`,
      `First line of step ${i}.\nSecond line of step ${i}, kept on its own line.`,
      `- read the input of section ${i}\n- check **every** field\n- write \`result_${i}\``,
      '```ts\n' + `function step${i}(input: string): number {\n  const n = input.length * ${i};\n  return n;\n}` + '\n```',
      `| field | value |\n|---|---|\n| step | ${i} |\n| ok | yes |`,
    );
  }
  return `# A long answer\n\n${parts.join('\n\n')}\n\nEND-OF-ANSWER`;
}
