// The measures page's charts: reads the figures from #chart-data's data-charts (JSON written by the server,
// the same figures as the tables beside the charts) and draws each .chart container with ECharts' SVG renderer.
(function () {
  'use strict';

  // durations are drawn in the unit that suits the largest: seconds, minutes, hours or days
  var units = [['seconds', 1, 120], ['minutes', 60, 7200], ['hours', 3600, 172800], ['days', 86400, Infinity]];

  function unitOf(values) {
    var max = Math.max.apply(null, values.filter(function (v) { return v != null; }).concat([0]));
    return units.filter(function (u) { return max < u[2]; })[0];
  }

  function scaled(values, unit) {
    return values.map(function (v) { return v == null ? null : Math.round(v / unit[1] * 100) / 100; });
  }

  var colours = { succeeded: '#1e6b34', failed: '#a31515', rolledBack: '#b35c00', cancelled: '#5b6472',
    process: '#1f5fbf', wait: '#c9a227' };

  function base(days) {
    return {
      animation: false,
      grid: { left: 56, right: 16, top: 52, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll', textStyle: { color: '#1d2430' } },
      xAxis: { type: 'category', data: days.map(function (d) { return d.day.substring(5); }),
        axisLabel: { color: '#1d2430' } },
      yAxis: { type: 'value', axisLabel: { color: '#1d2430' } }
    };
  }

  function line(name, values, colour) {
    return { name: name, type: 'line', data: values, connectNulls: false, symbolSize: 6,
      itemStyle: { color: colour }, lineStyle: { color: colour } };
  }

  var charts = {
    outcomes: function (data) {
      var o = base(data.days);
      o.yAxis.minInterval = 1;
      o.series = [['succeeded', 'succeeded'], ['failed', 'failed'], ['rolled back', 'rolledBack'],
        ['cancelled', 'cancelled']].map(function (s) {
        return { name: s[0], type: 'bar', stack: 'outcome', itemStyle: { color: colours[s[1]] },
          data: data.days.map(function (d) { return d[s[1]]; }) };
      });
      return o;
    },
    lead: function (data) {
      var o = base(data.days);
      var lead = data.days.map(function (d) { return d.leadTime; });
      var change = data.days.map(function (d) { return d.changeLeadTime; });
      var unit = unitOf(data.dora ? lead.concat(change) : lead);
      o.yAxis.name = unit[0];
      o.series = [line('request to success', scaled(lead, unit), '#1f5fbf')];
      if (data.dora) {
        o.series.push(line('change lead time (production)', scaled(change, unit), '#6b2fa3'));
      }
      return o;
    },
    fail: function (data) {
      var o = base(data.days);
      o.yAxis.max = 100;
      o.series = [line('change fail rate %', data.days.map(function (d) { return d.changeFailPercent; }), '#a31515')];
      return o;
    },
    recovery: function (data) {
      var o = base(data.days);
      var recovery = data.days.map(function (d) { return d.recovery; });
      var unit = unitOf(recovery);
      o.yAxis.name = unit[0];
      o.series = [line('recovery time', scaled(recovery, unit), '#b35c00')];
      return o;
    },
    vsm: function (data) {
      var names = data.activities.map(function (a) { return a.activity; });
      var process = data.activities.map(function (a) { return a.process; });
      var wait = data.activities.map(function (a) { return a.wait; });
      var unit = unitOf(process.map(function (p, i) { return p + wait[i]; }));
      return {
        animation: false,
        grid: { left: 150, right: 24, top: 36, bottom: 44 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, type: 'scroll', textStyle: { color: '#1d2430' } },
        xAxis: { type: 'value', name: unit[0], nameLocation: 'middle', nameGap: 24, axisLabel: { color: '#1d2430' } },
        yAxis: { type: 'category', data: names, inverse: true, axisLabel: { color: '#1d2430' } },
        series: [
          { name: 'process time', type: 'bar', stack: 'time', itemStyle: { color: colours.process },
            data: scaled(process, unit) },
          { name: 'wait time', type: 'bar', stack: 'time', itemStyle: { color: colours.wait },
            data: scaled(wait, unit) }
        ]
      };
    }
  };

  function draw() {
    var source = document.getElementById('chart-data');
    if (!source || typeof echarts === 'undefined') {
      return;
    }
    var data = JSON.parse(source.getAttribute('data-charts'));
    var drawn = [];
    document.querySelectorAll('.chart[data-chart]').forEach(function (box) {
      var make = charts[box.getAttribute('data-chart')];
      if (!make) {
        return;
      }
      var chart = echarts.init(box, null, { renderer: 'svg' });
      chart.setOption(make(data));
      box.setAttribute('data-drawn', 'true');
      drawn.push(chart);
    });
    window.addEventListener('resize', function () {
      drawn.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
