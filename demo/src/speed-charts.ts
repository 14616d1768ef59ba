/** The three live charts: tokens/s, acceptance rate, and drafted/accepted tokens per step. */
import { Chart } from './chart';
import { byId } from './dom';
import { formatPercent } from './format';
import type { StepSeries } from './step-series';

const COLORS = { rate: '#2f5bd3', rateStep: '#9db2ea', accept: '#1f8f4e', acceptStep: '#95cfae', drafted: '#b7bfcf' };

export class SpeedCharts {
  private readonly tps = new Chart(byId<HTMLCanvasElement>('chart-tps'), { formatY: axisNumber });
  private readonly accept = new Chart(byId<HTMLCanvasElement>('chart-accept'), { yMax: 1, formatY: formatPercent });
  private readonly k = new Chart(byId<HTMLCanvasElement>('chart-k'), { formatY: axisNumber });

  show(s: StepSeries): void {
    this.tps.set([
      { label: 'per step', values: s.stepTokensPerSecond, color: COLORS.rateStep, style: 'dots' },
      { label: 'running', values: s.tokensPerSecond, color: COLORS.rate, style: 'line' },
    ]);
    this.accept.set([
      { label: 'per step', values: s.stepAcceptance, color: COLORS.acceptStep, style: 'dots' },
      { label: 'running', values: s.acceptanceRate, color: COLORS.accept, style: 'line' },
    ]);
    this.k.set([
      { label: 'drafted', values: s.drafted, color: COLORS.drafted, style: 'bars' },
      { label: 'accepted', values: s.accepted, color: COLORS.accept, style: 'bars' },
    ]);
  }
}

function axisNumber(v: number): string {
  return Number.isInteger(v) || v >= 10 ? v.toFixed(0) : v.toFixed(1);
}
