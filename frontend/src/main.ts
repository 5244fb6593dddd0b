import { createApp } from 'vue';
import App from './App.vue';
import { locale } from './i18n/index.js';
import './styles.css';

document.documentElement.lang = locale.value;
createApp(App).mount('#app');
