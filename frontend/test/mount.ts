/** Mounts a component into the test document and unmounts it after the test. */
import { createApp, h, nextTick, type Component } from 'vue';
import { onTestFinished } from 'vitest';

export async function mount(component: Component, props: Record<string, unknown> = {}): Promise<HTMLElement> {
  const el = document.createElement('div');
  document.body.append(el);
  const app = createApp({ render: () => h(component, props) });
  app.mount(el);
  onTestFinished(() => {
    app.unmount();
    el.remove();
  });
  await flush();
  return el;
}

/** Lets promises and Vue's scheduler settle. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await nextTick();
  }
}
