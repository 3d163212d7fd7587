import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTheme } from '@/lib/theme';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export interface HeadcountBar {
  department: string;
  location: string;
  active: number;
}

const PALETTE = ['#6366f1', '#14b8a6', '#f59e0b', '#ec4899', '#0ea5e9', '#84cc16'];

/** Active people per department, coloured by location. Loaded only on the overview page. */
export default function HeadcountChart({ bars, label }: { bars: HeadcountBar[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const { resolved } = useTheme();

  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    const dark = resolved === 'dark';
    const text = dark ? '#a1a1aa' : '#71717a';
    const line = dark ? '#27272a' : '#f0f0f2';
    const locations = [...new Set(bars.map((b) => b.location))];
    const ordered = [...bars].reverse();
    chart.setOption({
      aria: { enabled: true, label: { description: label } },
      color: PALETTE,
      grid: { left: 8, right: 24, top: 32, bottom: 4, containLabel: true },
      legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 10, itemHeight: 10, textStyle: { color: text, fontSize: 12 } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, backgroundColor: dark ? '#18181b' : '#fff', borderColor: line, textStyle: { color: dark ? '#fafafa' : '#18181b' } },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: line } }, axisLabel: { color: text } },
      yAxis: { type: 'category', data: ordered.map((b) => b.department), axisTick: { show: false }, axisLine: { lineStyle: { color: line } }, axisLabel: { color: text, fontSize: 12 } },
      series: locations.map((location) => ({
        name: location,
        type: 'bar',
        stack: 'people',
        barMaxWidth: 18,
        itemStyle: { borderRadius: [0, 4, 4, 0] },
        data: ordered.map((b) => (b.location === location ? b.active : null)),
      })),
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [bars, label, resolved]);

  return <div ref={ref} role="img" aria-label={label} className="h-72 w-full" />;
}
