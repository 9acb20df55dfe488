// Entry of the console bundle.
import 'urlpattern-polyfill'
import './styles/global.css'
import { defineElements } from './elements.js'

defineElements()
