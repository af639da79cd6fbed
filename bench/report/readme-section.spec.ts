import { replaceBenchTable, TABLE_END, TABLE_START } from './readme-section';

describe('README bench table', () => {
  it('replaces only what stands between the markers', () => {
    const readme = `# A\n${TABLE_START}\nold table\n${TABLE_END}\n## B\n`;
    expect(replaceBenchTable(readme, '| new |\n')).toBe(`# A\n${TABLE_START}\n| new |\n${TABLE_END}\n## B\n`);
  });

  it('refuses a README without the markers', () => {
    expect(() => replaceBenchTable('# A\n', 'x')).toThrow('no <!-- bench:table -->');
  });
});
