import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../harness/report/index.ts';
import { sampleReport } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe.skipIf(!existsSync(CHROMIUM))('HTML report in headless Chromium (skipped: /usr/bin/chromium not installed)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders self-contained: every state in the graph, the failed state and retries marked, thumbnails decoded', async () => {
    const html = renderHtml(sampleReport(), '/repo');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
    });
    await page.setContent(html, { waitUntil: 'load' });

    const failedSection = page.locator('section.scenario[data-status="failed"]');
    await expect(failedSection.count()).resolves.toBe(1);
    const states = await failedSection.locator('svg.graph g.state').evaluateAll((els) =>
      els.map((e) => ({ name: e.getAttribute('data-state'), cls: e.getAttribute('class'), retries: e.getAttribute('data-retries') })),
    );
    expect(states.map((s) => s.name).sort()).toEqual(['ApplyFilters', 'Failed', 'IsValid', 'NotifyError', 'NotifySuccess', 'ProcessImage', 'ResizeImage', 'ValidateImage']);
    const failed = states.filter((s) => s.cls?.split(' ').includes('failed')).map((s) => s.name);
    expect(failed).toEqual(['ResizeImage']);
    expect(states.find((s) => s.name === 'ResizeImage')!.retries).toBe('1');
    expect(states.find((s) => s.name === 'NotifySuccess')!.cls).not.toContain('visited');
    expect(states.find((s) => s.name === 'NotifyError')!.cls).toContain('visited');

    // The failed state is drawn red and every state box is actually visible on the page.
    const stroke = await failedSection.locator('g.state[data-state="ResizeImage"] > rect').evaluate((r) => (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } }).getComputedStyle(r).stroke);
    expect(stroke).toBe('rgb(207, 34, 46)');
    const boxes = await failedSection.locator('svg.graph g.state > rect').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((b) => b.width * b.height));
    expect(boxes.every((a) => a > 100)).toBe(true);

    // Timeline bars for each entry; the failing entry is red.
    const bars = await failedSection.locator('svg.timeline rect.bar').count();
    expect(bars).toBe(6);
    await expect(failedSection.locator('svg.timeline rect.bar.failed').count()).resolves.toBe(1);

    // Before/after thumbnails decode.
    const widths = await failedSection.locator('.thumbs img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    expect(widths).toEqual([2, 2]);
    expect(await failedSection.locator('figure[data-role="output"] figcaption').textContent()).toContain('resized/raw/cat.png');

    // Escaping: the scenario name with markup is text, not elements.
    expect(await page.locator('section.scenario[data-status="passed"] h2').textContent()).toContain('happy & <fine>');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows the DynamoDB items a scenario left, one column per attribute, values as text', async () => {
    const report = sampleReport();
    report.scenarios[0]!.tables = [
      { table: 'notebook', count: 30, items: [{ uploadKey: 'raw/<cat>.png', status: 'DONE', width: 800 }, { uploadKey: 'raw/b.png', status: 'FAILED', errorName: 'InvalidImage', sizes: [1, 2] }] },
    ];
    const page = await browser.newPage();
    await page.setContent(renderHtml(report, '/repo'), { waitUntil: 'load' });
    const table = page.locator('table.items[data-table="notebook"]');
    expect(await table.locator('caption').textContent()).toBe('notebook · 30 items (first 2)');
    expect(await table.locator('th').allTextContents()).toEqual(['uploadKey', 'status', 'width', 'errorName', 'sizes']);
    expect(await table.locator('tbody tr').nth(0).locator('td').allTextContents()).toEqual(['raw/<cat>.png', 'DONE', '800', '', '']);
    expect(await table.locator('tbody tr').nth(1).locator('td').allTextContents()).toEqual(['raw/b.png', 'FAILED', '', 'InvalidImage', '[1,2]']);
    await page.close();
  });

  it('check rows are readable: only the status cell is coloured, not the row (screenshot), and a retry badge sits inside its box', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.setContent(renderHtml(sampleReport(), '/repo'), { waitUntil: 'load' });
    const passedRow = page.locator('tr.check.passed').first();
    const style = (sel: string, prop: 'backgroundColor' | 'color') =>
      page.locator(sel).first().evaluate((e, p) => (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(e)[p], prop);
    expect(await style('tr.check.passed', 'backgroundColor')).toBe('rgba(0, 0, 0, 0)');
    expect(await style('tr.check.passed td.st-passed', 'color')).toBe('rgb(31, 136, 61)');
    expect(await style('.badge.passed', 'backgroundColor')).toBe('rgb(31, 136, 61)');
    // What a reader sees: the passed row is mostly page background; green is only its status word.
    const { data, info } = await sharp(await passedRow.screenshot()).raw().toBuffer({ resolveWithObject: true });
    let green = 0;
    for (let i = 0; i < data.length; i += info.channels) if (Math.abs(data[i]! - 31) < 40 && Math.abs(data[i + 1]! - 136) < 40 && Math.abs(data[i + 2]! - 61) < 40) green++;
    expect(green / (info.width * info.height)).toBeLessThan(0.03);

    const state = page.locator('section.scenario[data-status="failed"] g.state[data-state="ResizeImage"]');
    const box = await state.locator(':scope > rect').boundingBox();
    const badge = await state.locator('circle.retry').boundingBox();
    const label = await state.locator(':scope > text').boundingBox();
    expect(box && badge && label).toBeTruthy();
    expect(badge!.x).toBeGreaterThanOrEqual(box!.x);
    expect(badge!.y).toBeGreaterThanOrEqual(box!.y);
    expect(badge!.x + badge!.width).toBeLessThanOrEqual(box!.x + box!.width);
    expect(badge!.y + badge!.height).toBeLessThanOrEqual(box!.y + box!.height);
    expect(label!.x + label!.width).toBeLessThanOrEqual(badge!.x);
    await page.close();
  });
});
