/**
 * A small canvas chart over step index: lines, dots and bars, y from 0 to a fixed or data-driven max.
 * Redraws at most once per animation frame and follows the canvas's CSS size (device pixels for sharpness).
 */

export interface Series {
  label: string;
  /** (steps,) one value per step; NaN leaves a gap. */
  values: number[];
  color: string;
  style: 'line' | 'dots' | 'bars';
}

export interface ChartOptions {
  /** Fixed top of the y axis (e.g. 1 for rates); otherwise a round number above the data. */
  yMax?: number;
  formatY: (v: number) => string;
}

const PAD = { left: 34, right: 8, top: 8, bottom: 16 };
const FONT = '10px system-ui, sans-serif';

export class Chart {
  private series: Series[] = [];
  private pending = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly options: ChartOptions,
  ) {
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  set(series: Series[]): void {
    this.series = series;
    this.draw();
  }

  /** Schedules a redraw on the next frame. */
  draw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.paint();
    });
  }

  private paint(): void {
    const { canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, height);

    const steps = Math.max(1, ...this.series.map((s) => s.values.length));
    const yMax = this.options.yMax ?? niceCeiling(Math.max(0, ...this.series.flatMap((s) => s.values.filter(Number.isFinite))));
    const plotW = width - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    const x = (i: number) => PAD.left + (steps === 1 ? plotW / 2 : (i * plotW) / (steps - 1));
    const y = (v: number) => PAD.top + plotH - (Math.min(v, yMax) / yMax) * plotH;

    this.paintAxes(ctx, yMax, y, width, height);
    const barW = Math.max(1, Math.min(12, (plotW / steps) * 0.7));
    const barSeries = this.series.filter((s) => s.style === 'bars');
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      if (s.style === 'line') {
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        let pen = false;
        s.values.forEach((v, i) => {
          if (!Number.isFinite(v)) return void (pen = false);
          if (pen) ctx.lineTo(x(i), y(v));
          else ctx.moveTo(x(i), y(v));
          pen = true;
        });
        ctx.stroke();
      } else if (s.style === 'dots') {
        s.values.forEach((v, i) => {
          if (!Number.isFinite(v)) return;
          ctx.beginPath();
          ctx.arc(x(i), y(v), 1.8, 0, 2 * Math.PI);
          ctx.fill();
        });
      } else {
        // Bars of several series sit side by side within a step.
        const slot = barSeries.indexOf(s);
        const w = barW / barSeries.length;
        s.values.forEach((v, i) => {
          if (!Number.isFinite(v) || v <= 0) return;
          const left = x(i) - barW / 2 + slot * w;
          ctx.fillRect(left, y(v), Math.max(1, w - 0.5), y(0) - y(v));
        });
      }
    }
  }

  private paintAxes(ctx: CanvasRenderingContext2D, yMax: number, y: (v: number) => number, width: number, height: number): void {
    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e6e8ee';
    ctx.fillStyle = '#5d6677';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [0, yMax / 2, yMax]) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, Math.round(y(v)) + 0.5);
      ctx.lineTo(width - PAD.right, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillText(this.options.formatY(v), PAD.left - 4, y(v));
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText(`step ${this.series[0]?.values.length ?? 0}`, width - PAD.right, height);
  }
}

/** 1, 2 or 5 times a power of ten, at least v (and at least 1). */
function niceCeiling(v: number): number {
  if (v <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * power >= v) return m * power;
  return 10 * power;
}
