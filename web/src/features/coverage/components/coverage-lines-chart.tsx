import type { CoverageHour } from '@contract/coverage.ts';
import { LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { formatTime } from '@/lib/format';
import { useTheme } from '@/lib/theme';
import { phaseOf } from './coverage-model';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, AriaComponent, CanvasRenderer]);

/** Okabe-Ito hues, told apart by line style as well as colour. */
const COLOURS = {
  light: { required: '#52525b', scheduled: '#0072b2', staffed: '#d55e00' },
  dark: { required: '#d4d4d8', scheduled: '#56b4e9', staffed: '#e69f00' },
};

/** Today's required, scheduled and staffed headcount per local hour. Loaded only on the coverage page. */
export default function CoverageLinesChart({ hours, zone, zoneText, nowMs, label }: { hours: CoverageHour[]; zone: string; zoneText: string; nowMs: number; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const { resolved } = useTheme();

  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const dark = resolved === 'dark';
    const c = COLOURS[resolved];
    const text = dark ? '#a1a1aa' : '#52525b';
    const line = dark ? '#27272a' : '#ececef';
    // A day when clocks go back has the same local hour twice: mark the second one so both show.
    const seen = new Set<string>();
    const categories = hours.map((h) => {
      const t = formatTime(h.hourStart, zone);
      const label = seen.has(t) ? `${t}′` : t;
      seen.add(t);
      return label;
    });
    const nowIndex = hours.findIndex((h) => phaseOf(h, nowMs) === 'now');
    chart.setOption(
      {
        aria: { enabled: true, label: { description: label } },
        animationDuration: 300,
        grid: { left: 8, right: 16, top: 48, bottom: 28, containLabel: true },
        legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { color: text, fontSize: 12 } },
        tooltip: {
          trigger: 'axis',
          backgroundColor: dark ? '#18181b' : '#fff',
          borderColor: line,
          textStyle: { color: dark ? '#fafafa' : '#18181b', fontSize: 12 },
          valueFormatter: (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : '–'),
        },
        xAxis: {
          type: 'category',
          data: categories,
          boundaryGap: true,
          name: `Local time, ${zoneText}`,
          nameLocation: 'middle',
          nameGap: 28,
          nameTextStyle: { color: text, fontSize: 11 },
          axisLabel: { color: text, fontSize: 11, interval: 2 },
          axisTick: { show: true, alignWithLabel: true, lineStyle: { color: line } },
          axisLine: { lineStyle: { color: line } },
        },
        yAxis: { type: 'value', minInterval: 1, name: 'People', nameTextStyle: { color: text, fontSize: 11, align: 'left' }, axisLabel: { color: text }, splitLine: { lineStyle: { color: line } } },
        series: [
          {
            name: 'Required',
            type: 'line',
            step: 'middle',
            symbol: 'none',
            lineStyle: { type: 'dashed', width: 2, color: c.required },
            itemStyle: { color: c.required },
            data: hours.map((h) => h.required),
            markLine:
              nowIndex >= 0
                ? {
                    silent: true,
                    symbol: 'none',
                    lineStyle: { color: text, type: 'solid', width: 1, opacity: 0.6 },
                    label: { formatter: `Now ${formatTime(new Date(nowMs), zone)}`, color: text, fontSize: 11, position: 'insideEndTop' },
                    data: [{ xAxis: nowIndex }],
                  }
                : undefined,
          },
          {
            name: 'Scheduled',
            type: 'line',
            symbol: 'none',
            lineStyle: { width: 2, color: c.scheduled },
            itemStyle: { color: c.scheduled },
            data: hours.map((h) => h.scheduled),
          },
          {
            name: 'Staffed',
            type: 'line',
            symbol: 'circle',
            symbolSize: 5,
            lineStyle: { width: 3, color: c.staffed },
            itemStyle: { color: c.staffed },
            // Hours not yet started have no one on the floor to count: leave them blank, not zero.
            data: hours.map((h) => (phaseOf(h, nowMs) === 'future' ? null : h.staffed)),
          },
        ],
      },
      { notMerge: true },
    );
  }, [hours, zone, zoneText, nowMs, label, resolved]);

  return <div ref={ref} role="img" aria-label={label} className="h-80 w-full" />;
}
